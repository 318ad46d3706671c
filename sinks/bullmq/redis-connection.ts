/** BullMQ connection options from a redis:// URL (REDIS_URL). */
import type { RedisOptions } from 'ioredis';

/** The queue BullMQ mitigation jobs go to (DESIGN.md). */
export const MITIGATION_QUEUE = 'mitigation';

export function bullConnection(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RangeError(`expected a redis:// URL, got '${url}'`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
    username: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis; it requires this to be null.
    maxRetriesPerRequest: null,
  };
}

/**
 * BullMQ job id of a decision: the decision id itself, with '%' and ':' escaped (BullMQ refuses
 * most ids with ':'). Injective and deterministic, so a replayed decision maps to the same job.
 */
export function mitigationJobId(decisionId: string): string {
  return decisionId.replace(/%/g, '%25').replace(/:/g, '%3A');
}
