/** What the integration suites need from the environment that globalSetup prepared. */
import { randomBytes } from 'crypto';
import { SKIP_ENV } from '../setup/services';

export interface IntegrationServices {
  kafkaBrokers: string[];
  redisUrl: string;
}

export function services(): IntegrationServices | null {
  const brokers = process.env.KAFKA_BROKERS;
  const redisUrl = process.env.REDIS_URL;
  if (!brokers || !redisUrl) return null;
  return { kafkaBrokers: brokers.split(','), redisUrl };
}

/**
 * describe() when the services are there. Outside CI, skipped loudly when they could not start
 * (or globalSetup did not run); under CI a failing test says why instead, never a skip.
 */
export function describeIntegration(name: string, body: (s: IntegrationServices) => void): void {
  const s = services();
  if (s !== null) {
    describe(name, () => body(s));
    return;
  }
  const isCi = process.env.CI === 'true' || process.env.CI === '1';
  const skip = process.env[SKIP_ENV] ?? 'KAFKA_BROKERS/REDIS_URL not set: run `npx jest -c jest.integration.config.js`';
  if (!isCi) {
    console.warn(`[integration] SKIPPED '${name}': ${skip}`);
    describe.skip(`${name} [services unavailable: ${skip}]`, () => body({ kafkaBrokers: [], redisUrl: '' }));
    return;
  }
  describe(name, () => {
    test('has Kafka and Redis', () => {
      throw new Error('KAFKA_BROKERS/REDIS_URL are not set: run integration suites with `jest -c jest.integration.config.js`');
    });
  });
}

/** A name no other run or suite uses (topics, groups, Redis namespaces). */
export function uniqueName(base: string): string {
  return `${base}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Polls `check` until it returns true or `timeoutMs` passes; throws with `what` then, plus what
 * `detail` says of the state at that moment (so a timeout in CI can be diagnosed from its log).
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20000, everyMs = 50, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`);
}
