import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConsentStoreError, driverErrorCode } from '../consent/store/ConsentStoreError';
import { auditRequestsJson, type AuditSegmentSink } from './createSqlAuditTrail';
import type { AuditRecord, AuditTrail } from './types';

export interface AuditJournalOptions {
  /** The journal's folder, created if missing. One process at a time, like the embedded database's own. */
  dir: string;
  /**
   * Default 50 ms: how often what was appended meanwhile is loaded into the database. A load runs on the
   * event loop (PGlite is synchronous), ~30 µs a row: short intervals keep each pause short, and past a few
   * requests per statement the per-statement cost (~0.27 ms) is no longer what a request pays for.
   */
  loadIntervalMs?: number;
  /** Default: one line on stderr. Told when segments could not be loaded (they stay on disk and are retried). */
  onError?: (message: string, error: unknown) => void;
}

/** An audit trail whose writes are appended to the journal; queries see them (they load what is pending first). */
export interface JournaledAuditTrail extends AuditTrail {
  /** Loads what is left and stops; later writes are refused. What could not be loaded stays for the next open. */
  close(): Promise<void>;
}

const SEGMENT_FILE = /^(\d{12})\.ndjson$/;
const ID_FILE = 'journal.id';
const segmentName = (segment: number) => `${String(segment).padStart(12, '0')}.ndjson`;

/**
 * The audit trail of the embedded store, made cheap per request: each write appends its records, one JSON
 * line per request (auditRequestsJson), to the current segment file, synchronously, before the response
 * leaves (CONSENT.md "Records": nothing guarded is served unrecorded; a failed append fails the write
 * and the response strips). Every `loadIntervalMs` the segment is sealed and loaded into the trail in
 * one statement, together with the journal's marker (migration 005), then removed: a segment goes in
 * exactly once, whatever stops the process in between, and what a crash left behind goes in at the next
 * open. Measured on PGlite, one INSERT costs ~0.27 ms of the gateway's CPU before its first row
 * (PostgreSQL in WebAssembly, in-process), so one per interval instead of one per request is what this
 * is for.
 *
 * Durability is the embedded database's own: a line is in the operating system's hands when the write
 * resolves, as PGlite's commits are (in Node it does not fsync). A line is written whole or, when the
 * process dies mid-write, torn at the end of its segment: loading takes the complete lines only.
 */
export async function journalAuditTrail(trail: AuditTrail, sink: AuditSegmentSink, options: AuditJournalOptions): Promise<JournaledAuditTrail> {
  const dir = resolve(options.dir);
  const loadInterval = options.loadIntervalMs ?? 50;
  if (!Number.isInteger(loadInterval) || loadInterval < 1) {
    throw new ConsentStoreError('INVALID_INPUT', `the audit journal's loadIntervalMs must be a whole number of at least 1; received ${loadInterval}`);
  }
  const onError = options.onError ?? ((message, error) => process.stderr.write(`consentgate: ${message}: ${(error as Error)?.message ?? String(error)}\n`));
  const failure = (doing: string, error: unknown) => {
    const code = driverErrorCode(error);
    return error instanceof ConsentStoreError ? error : new ConsentStoreError('STORE_FAILURE', `audit journal in '${dir}' could not ${doing}${code ? ` (${code})` : ''}`, { cause: error });
  };

  let journal: string;
  const sealed: number[] = [];
  let next: number;
  try {
    await mkdir(dir, { recursive: true });
    journal = await journalId(dir);
    const loaded = await sink.loadedUpTo(journal);
    const onDisk = (await readdir(dir)).flatMap((name) => {
      const match = SEGMENT_FILE.exec(name);
      return match ? [Number(match[1])] : [];
    }).sort((a, b) => a - b);
    for (const segment of onDisk) {
      // At or below the marker: loaded, and the process stopped before removing the file.
      if (segment <= loaded) await rm(join(dir, segmentName(segment)), { force: true });
      else sealed.push(segment);
    }
    next = Math.max(loaded, onDisk.at(-1) ?? 0) + 1;
  } catch (error) {
    throw failure('be opened', error);
  }

  let current: { segment: number; fd: number } | undefined;
  let loading: Promise<void> | undefined;
  let closed = false;
  let reported = false;

  const seal = () => {
    if (!current) return;
    const { segment, fd } = current;
    current = undefined;
    sealed.push(segment);
    closeSync(fd);
  };

  const loadSegment = async (segment: number) => {
    const file = join(dir, segmentName(segment));
    const text = await readFile(file, 'utf8');
    // Complete lines only: after the last newline is nothing or a line torn by a crash (never answered).
    const body = text.slice(0, text.lastIndexOf('\n') + 1).trimEnd();
    if (body !== '') await sink.load(journal, segment, segmentRequests(body, file));
    await rm(file, { force: true });
  };

  const loadSealed = async () => {
    while (sealed.length > 0) {
      await loadSegment(sealed[0]!);
      sealed.shift();
    }
    reported = false;
  };

  // One load at a time, in segment order; a flush during a load joins it (the load takes the new segment too).
  const flush = (): Promise<void> => {
    seal();
    loading ??= loadSealed().finally(() => {
      loading = undefined;
    });
    return loading;
  };

  const timer = setInterval(() => {
    if (!current && sealed.length === 0) return;
    flush().catch((error: unknown) => {
      // Once per failing streak: the records are safe on disk and every tick tries again.
      if (!reported) onError(`audit records could not be loaded into the database (kept in '${dir}', retried every ${loadInterval} ms)`, error);
      reported = true;
    });
  }, loadInterval);
  timer.unref();

  // What an earlier process left: in before this one serves (if it cannot be, it stays and is retried).
  await flush().catch((error: unknown) => {
    reported = true;
    onError(`audit records left by an earlier run could not be loaded into the database (kept in '${dir}')`, error);
  });

  return {
    write(records) {
      if (closed) return Promise.reject(new ConsentStoreError('STORE_FAILURE', 'consent store is closed'));
      if (records.length === 0) return Promise.resolve();
      const line = Buffer.from(`${auditRequestsJson(records).join('\n')}\n`);
      try {
        if (!current) {
          current = { segment: next, fd: openSync(join(dir, segmentName(next)), 'a') };
          next += 1;
        }
        for (let at = 0; at < line.length;) at += writeSync(current.fd, line, at);
      } catch (error) {
        // A part-written line must stay the last of its segment: the next write starts a new one.
        try {
          seal();
        } catch {
          // the descriptor is gone already
        }
        return Promise.reject(failure(`append ${records.length} audit record(s)`, error));
      }
      return Promise.resolve();
    },

    async query(filter) {
      try {
        await flush();
      } catch (error) {
        throw new ConsentStoreError('STORE_FAILURE', `the audit trail cannot be read whole: records appended to the journal in '${dir}' could not be loaded into the database`, { cause: error });
      }
      return trail.query(filter);
    },

    prune: () => trail.prune(),

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await flush().catch((error: unknown) => onError(`audit records could not be loaded into the database before closing (kept in '${dir}' for the next open)`, error));
    },
  };
}

/**
 * A segment's complete lines as the JSON array of requests the sink loads. Each line is one request's
 * records, a JSON object. A segment left by a build from before that (the journal's first format) holds one
 * JSON array of flat records per write instead: nested here as the load takes them (such a segment only
 * ever loads at the first open after the upgrade). JSON text holds no raw newline, so "}\n{" only joins lines.
 */
function segmentRequests(body: string, file: string): string {
  // Every line an object (the usual case): joined as they are. Anything else goes line by line, below.
  if (body.startsWith('{') && !/\n[^{]/.test(body)) return `[${body.replaceAll('}\n{', '},{')}]`;
  return `[${body.split('\n').map((line) => {
    if (line.startsWith('{')) return line;
    if (line.startsWith('[')) {
      const records = JSON.parse(line, (key, value: unknown) => (key === 'at' && typeof value === 'string' ? new Date(value) : value)) as AuditRecord[];
      return auditRequestsJson(records).join(',');
    }
    throw new ConsentStoreError('STORE_FAILURE', `audit journal segment '${file}' is not the journal's own: each line must be a JSON object of one request's records`);
  }).join(',')}]`;
}

/** The journal's id, made once per folder: its marker in the database is kept under it. */
async function journalId(dir: string): Promise<string> {
  const file = join(dir, ID_FILE);
  const id = await readFile(file, 'utf8').then((text) => text.trim(), (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    return undefined;
  });
  if (id !== undefined) {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new ConsentStoreError('STORE_FAILURE', `audit journal id file '${file}' does not hold a journal id`);
    return id;
  }
  const fresh = randomUUID();
  await writeFile(file, `${fresh}\n`, { flag: 'wx' });
  return fresh;
}
