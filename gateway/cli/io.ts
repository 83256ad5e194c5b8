/** Where a CLI command writes: lines to stdout and to stderr. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}
