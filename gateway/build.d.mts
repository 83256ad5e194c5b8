// Types of gateway/build.mjs (plain JavaScript: it runs before anything can compile TypeScript).

/** What to build: entry points relative to the package root, and the folder their builds go in. */
export interface BuildTarget {
  entryPoints: string[];
  outdir: string;
}

export const PACKAGE_ROOT: string;
/** Builds `target` into a new folder under its outdir, records it as current and returns that folder. */
export function bundle(target: BuildTarget): Promise<string>;
/** The current build folder if it was built from the sources as they are on disk now; else undefined. */
export function currentBuild(target: BuildTarget): Promise<string | undefined>;
/** The current build folder, built first when missing or stale. */
export function ensureBuild(target: BuildTarget): Promise<string>;
/** The CLI module (its `main`), built or, when it cannot be built, from the sources through tsx. */
export function cliModule(): Promise<{ main(argv: string[]): Promise<number> }>;
