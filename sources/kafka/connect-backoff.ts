/**
 * Retries a first contact with the brokers (connect, create topics) with exponential backoff, so
 * a worker started before its broker waits a bounded while instead of failing at once, and a
 * broker that never comes gives one clear error (its address, the attempts, the time spent) that
 * the CLI turns into the service-unavailable exit code: a supervisor restarts it, not a crash loop.
 * Only KafkaConnectionError is retried; a broker that answers and refuses fails at once.
 */
import { KafkaConnectionError } from './kafka-errors';

export interface ConnectRetry {
  operation: string;
  brokers: readonly string[];
  /** The attempt that just failed (1-based). */
  attempt: number;
  attempts: number;
  /** Wait before the next attempt. */
  delayMs: number;
  error: KafkaConnectionError;
}

export interface ConnectBackoffOptions {
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** Wait after the first failure (default 1000 ms); doubles each time up to maxDelayMs. */
  initialDelayMs?: number;
  /** Default 15000 ms. */
  maxDelayMs?: number;
  /** Called before each wait, to log the failed attempt. */
  onRetry?(retry: ConnectRetry): void;
  /** Test seam. */
  sleep?(ms: number): Promise<void>;
}

export const DEFAULT_CONNECT_ATTEMPTS = 5;

/** Delay before attempt `n + 1` (n >= 1): initial * 2^(n-1), capped. */
export function backoffDelayMs(n: number, initialDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, n - 1));
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` until it succeeds or `attempts` KafkaConnectionErrors happened; then throws a
 * KafkaConnectionError whose operation says how many attempts were made.
 */
export async function withConnectBackoff<T>(operation: string, fn: () => Promise<T>, options: ConnectBackoffOptions = {}): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts ?? DEFAULT_CONNECT_ATTEMPTS));
  const initial = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 15000;
  const sleep = options.sleep ?? defaultSleep;
  const t0 = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof KafkaConnectionError)) throw e;
      if (attempt >= attempts) {
        throw new KafkaConnectionError(e.brokers, `${operation} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, Date.now() - t0, e.detail);
      }
      const delayMs = backoffDelayMs(attempt, initial, max);
      options.onRetry?.({ operation, brokers: e.brokers, attempt, attempts, delayMs, error: e });
      await sleep(delayMs);
    }
  }
}
