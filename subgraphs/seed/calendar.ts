/** Demo-data date arithmetic, all in UTC so a seed is the same on every machine. */

export const DAY_MS = 86_400_000;

/** Midnight UTC of `date`'s day: seeds anchor there so data and cursors are stable for a whole day. */
export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** `date` moved by `months` calendar months (negative: back), clamping the day to the target month's end. */
export function addMonths(date: Date, months: number): Date {
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  target.setUTCHours(date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
  return target;
}

/** `date` moved by `days` days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Every UTC midnight from `from` (inclusive) up to `until` (exclusive), oldest first. */
export function* eachDay(from: Date, until: Date): Generator<Date> {
  for (let day = startOfUtcDay(from); day < until; day = addDays(day, 1)) {
    if (day >= from) yield day;
  }
}

/** The history the demo banks hold: 24 months back from the seed's anchor. */
export const HISTORY_MONTHS = 24;
