import type { AuditRecord, AuditTrail } from './types';

/**
 * Group commit for the audit trail: while one INSERT is in flight, the records of every request that
 * finishes meanwhile wait and go together in the next one. Each write still resolves only once its own
 * records are committed (the response waits for it, CONSENT.md "Records"), and a failed INSERT fails
 * every write in it. Under load this turns one statement per request into one per round trip.
 */
export function groupAuditWrites(trail: AuditTrail): AuditTrail {
  let pending: { records: AuditRecord[]; waiters: { resolve(): void; reject(error: unknown): void }[] } | undefined;
  let inFlight: Promise<void> | undefined;
  let scheduled = false;

  // Sent once the current I/O phase is over (setImmediate), not at the first write: every request that
  // finished in the same turn of the event loop joins. Embedded PGlite runs an INSERT synchronously, so
  // nothing can finish "while it is in flight"; the subgraph answers that arrived meanwhile are handled in
  // one poll phase, and their requests go together in the next INSERT.
  const schedule = (): void => {
    if (scheduled || inFlight) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  };

  const flush = (): void => {
    const batch = pending;
    if (!batch || inFlight) return;
    pending = undefined;
    inFlight = trail.write(batch.records).then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    ).finally(() => {
      inFlight = undefined;
      schedule();
    });
  };

  return {
    ...trail,
    write(records) {
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending ??= { records: [], waiters: [] };
        for (const record of records) pending.records.push(record);
        pending.waiters.push({ resolve, reject });
        schedule();
      });
    },
  };
}
