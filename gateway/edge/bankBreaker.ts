import CircuitBreaker from 'opossum';

/** Circuit breaker settings per bank (opossum underneath). Every field starts with its default. */
export interface BreakerOptions {
  /** Default 50. Percentage of failed calls in the rolling window that opens the circuit. */
  errorThresholdPercentage?: number;
  /** Default 5. Calls in the rolling window before the circuit may open at all (no trip on one bad call). */
  volumeThreshold?: number;
  /** Default 5000 ms. How long an open circuit fails fast before letting one trial call through (half-open). */
  resetTimeoutMs?: number;
  /** Default 10000 ms. The rolling window failures are counted over. */
  rollingWindowMs?: number;
}

/** One attempt at a bank: resolves with its answer or throws a BankFailure. */
export type Attempt<T> = () => Promise<T>;

/** A bank call that failed at the transport level (down, slow, HTTP 5xx, not GraphQL JSON). */
export class BankFailure extends Error {
  constructor(
    readonly reason: 'unreachable' | 'timeout' | 'status' | 'malformed',
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'BankFailure';
  }
}

/** The breaker of one bank: `fire(attempt)` runs the attempt, or rejects at once with isOpenCircuit while open. */
export type BankBreaker = CircuitBreaker<[Attempt<unknown>], unknown>;

/**
 * A circuit breaker for one bank: after enough failures it stops sending requests to the bank for
 * resetTimeoutMs, so an outage costs clients a fast DOWNSTREAM_SERVICE_ERROR instead of a timeout each.
 */
export function createBankBreaker(name: string, options: BreakerOptions = {}): BankBreaker {
  return new CircuitBreaker<[Attempt<unknown>], unknown>((attempt) => attempt(), {
    name,
    // The executor enforces its own deadline (retries included); opossum's timer would not abort the fetch.
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold: options.volumeThreshold ?? 5,
    resetTimeout: options.resetTimeoutMs ?? 5000,
    rollingCountTimeout: options.rollingWindowMs ?? 10_000,
    // Only transport failures count against the bank; anything else is a bug of ours, not an outage.
    errorFilter: (error: unknown) => !(error instanceof BankFailure),
  });
}

/** True for the rejection of a call refused because the bank's circuit is open. */
export function isOpenCircuit(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'EOPENBREAKER';
}
