/**
 * What `prescient enforce` does with a mitigation job. The log enforcer (default) prints one
 * structured JSON line per action; the webhook enforcer POSTs the decision as JSON with retries.
 * The Linux (tc/nftables) enforcer comes with the live-mitigation issue.
 */
import type { MitigationDecision } from '../../schemas/types';

export interface Enforcer {
  readonly kind: string;
  apply(decision: MitigationDecision, jobId: string): Promise<void>;
}

export class LogEnforcer implements Enforcer {
  readonly kind = 'log';
  constructor(private readonly out: { write(line: string): unknown } = process.stdout, private readonly now: () => number = Date.now) {}

  async apply(d: MitigationDecision, jobId: string): Promise<void> {
    this.out.write(`${JSON.stringify({
      at: new Date(this.now()).toISOString(), enforcer: 'log', jobId, decisionId: d.id, vmId: d.vmId, action: d.action,
      previousAction: d.previousAction, rateKbps: d.rateKbps, flow: d.flow, expiresAtUs: d.expiresAtUs,
      dryRun: d.dryRun, applied: !d.dryRun, score: d.score, reason: d.reason,
    })}\n`);
  }
}

/** The webhook answered with an error status (or not at all) after every retry. */
export class WebhookError extends Error {
  constructor(readonly url: string, readonly decisionId: string, readonly attempts: number, detail: string) {
    super(`webhook ${url} failed for decision '${decisionId}' after ${attempts} attempts: ${detail}`);
    this.name = 'WebhookError';
  }
}

export interface WebhookEnforcerOptions {
  url: string;
  /** Attempts per call (default 4), backoff 200 ms doubling. */
  attempts?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export class WebhookEnforcer implements Enforcer {
  readonly kind = 'webhook';
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WebhookEnforcerOptions) {
    new URL(options.url);
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async apply(d: MitigationDecision, jobId: string): Promise<void> {
    const attempts = this.options.attempts ?? 4;
    let detail = '';
    let made = 0;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await this.sleep(200 * 2 ** (i - 1));
      made++;
      try {
        const res = await this.fetchImpl(this.options.url, {
          method: 'POST',
          // The job id lets the receiver drop a repeat (BullMQ retries after a lost acknowledgement).
          headers: { 'content-type': 'application/json', 'idempotency-key': jobId },
          body: JSON.stringify({ jobId, decision: d }),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        if (res.ok) return;
        detail = `HTTP ${res.status}`;
        // A 4xx other than 408/429 will not get better by retrying.
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
      } catch (e) {
        detail = (e as Error).message;
      }
    }
    throw new WebhookError(this.options.url, d.id, made, detail);
  }
}
