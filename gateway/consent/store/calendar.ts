/**
 * Calendar arithmetic in UTC that matches PostgreSQL's `timestamp + interval 'N months'`: the day of
 * month is kept, or clamped to the month's last day (31 January + 1 month = 28 or 29 February).
 * The grants table checks expiry with the same arithmetic, so the store and the database agree.
 */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

/** The latest expiry a grant made at `grantedAt` may have: one calendar year later (CFPB 1033). */
export function oneYearAfter(grantedAt: Date): Date {
  return addMonths(grantedAt, 12);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `date` moved by `days` whole days of 24 hours (negative to go back). */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}
