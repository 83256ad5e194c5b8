/**
 * Demo-data only (a real bank has a database): a small seeded PRNG so every seed is reproducible.
 * Math.random is never used; the same seed string always yields the same sequence.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `count` random decimal digits, as a string. */
  digits(count: number): string;
}

/** A PRNG (mulberry32) seeded from a string (FNV-1a hash), e.g. the account id. */
export function createRandom(seed: string): Random {
  let state = hashString(seed);
  const next = (): number => {
    // mulberry32: tiny, fast, good enough statistical quality for demo data.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick needs a non-empty list');
      return items[int(0, items.length - 1)]!;
    },
    digits: (count) => Array.from({ length: count }, () => String(int(0, 9))).join(''),
  };
}

function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
