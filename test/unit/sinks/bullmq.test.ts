import fc from 'fast-check';
import { bullConnection, LogEnforcer, mitigationJobId, WebhookEnforcer, WebhookError } from '../../../sinks/bullmq';
import type { MitigationDecision } from '../../../schemas';

const decision: MitigationDecision = {
  id: 'vm-web-1:DROP:1700000000000000', tsUs: 1700000000000000, vmId: 'vm-web-1', accountId: 'acct-1', vnetId: 'vnet-1',
  action: 'DROP', previousAction: 'ALERT', score: 12.5, reason: 'score 12.5 >= drop tier', rateKbps: null,
  flow: null, expiresAtUs: 1700000060000000, dryRun: false, anomalyId: 'vm-web-1:1700000000000000:0',
};

describe('mitigation job ids', () => {
  test('deterministic, free of ":" (BullMQ refuses it) and injective', () => {
    expect(mitigationJobId(decision.id)).toBe('vm-web-1%3ADROP%3A1700000000000000');
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      const ja = mitigationJobId(a);
      expect(ja.includes(':')).toBe(false);
      expect(mitigationJobId(a)).toBe(ja);
      if (a !== b) expect(mitigationJobId(b)).not.toBe(ja);
    }));
  });
});

describe('bullConnection', () => {
  test('parses host, port, db and credentials; BullMQ needs maxRetriesPerRequest null', () => {
    expect(bullConnection('redis://u:p%40ss@10.0.0.5:6380/3')).toMatchObject({ host: '10.0.0.5', port: 6380, db: 3, username: 'u', password: 'p@ss', maxRetriesPerRequest: null });
    expect(bullConnection('redis://127.0.0.1')).toMatchObject({ port: 6379, db: 0 });
    expect(() => bullConnection('http://x:1')).toThrow(/redis:\/\//);
  });
});

describe('enforcers', () => {
  test('log: one JSON line per action, dry runs marked not applied', async () => {
    const lines: string[] = [];
    const e = new LogEnforcer({ write: (l: string) => lines.push(l) }, () => 0);
    await e.apply(decision, 'job-1');
    await e.apply({ ...decision, dryRun: true }, 'job-2');
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed[0]).toMatchObject({ enforcer: 'log', jobId: 'job-1', decisionId: decision.id, vmId: 'vm-web-1', action: 'DROP', applied: true });
    expect(parsed[1]).toMatchObject({ jobId: 'job-2', applied: false, dryRun: true });
  });

  function fakeFetch(statuses: Array<number | Error>): { calls: Array<{ url: string; body: string; key: string }>; fetch: typeof fetch } {
    const calls: Array<{ url: string; body: string; key: string }> = [];
    const f = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: String(init.body), key: (init.headers as Record<string, string>)['idempotency-key'] });
      const s = statuses[Math.min(calls.length - 1, statuses.length - 1)];
      if (s instanceof Error) throw s;
      return new Response(null, { status: s });
    }) as unknown as typeof fetch;
    return { calls, fetch: f };
  }

  test('webhook: POSTs the decision as JSON with its job id, retrying 5xx and network errors', async () => {
    const f = fakeFetch([503, new Error('ECONNRESET'), 200]);
    const sleeps: number[] = [];
    const e = new WebhookEnforcer({ url: 'http://hook.local/mitigate', fetchImpl: f.fetch, sleep: async (ms) => void sleeps.push(ms) });
    await e.apply(decision, 'job-1');
    expect(f.calls).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]);
    expect(JSON.parse(f.calls[2].body)).toEqual({ jobId: 'job-1', decision });
    expect(f.calls[2].key).toBe('job-1');
  });

  test('webhook: a 4xx is not retried; exhausted retries throw WebhookError with the decision', async () => {
    const bad = fakeFetch([400]);
    await expect(new WebhookEnforcer({ url: 'http://h/x', fetchImpl: bad.fetch, sleep: async () => undefined }).apply(decision, 'j')).rejects.toThrow(WebhookError);
    expect(bad.calls).toHaveLength(1);
    const down = fakeFetch([500]);
    const err = await new WebhookEnforcer({ url: 'http://h/x', attempts: 3, fetchImpl: down.fetch, sleep: async () => undefined }).apply(decision, 'j').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect((err as WebhookError).decisionId).toBe(decision.id);
    expect((err as Error).message).toMatch(/after 3 attempts: HTTP 500/);
    expect(down.calls).toHaveLength(3);
  });
});
