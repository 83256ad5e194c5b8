/** The contract's Money value: an exact decimal string and an ISO-4217 currency code. */
export interface Money {
  amount: string;
  currency: string;
}

/**
 * Formats an integer amount of minor units (cents, pence) as contract Money, e.g. -4210 -> "-42.10".
 * Banks keep money in integers; a float never enters the path (the contract forbids float amounts).
 */
export function toMoney(minorUnits: number, currency: string): Money {
  if (!Number.isSafeInteger(minorUnits)) {
    throw new Error(`toMoney expects an integer number of minor units; received ${minorUnits}`);
  }
  const sign = minorUnits < 0 ? '-' : '';
  const absolute = Math.abs(minorUnits);
  const major = Math.floor(absolute / 100);
  const minor = String(absolute % 100).padStart(2, '0');
  return { amount: `${sign}${major}.${minor}`, currency };
}
