/**
 * `prescient enforce [--enforcer log|webhook --url U]`: consumes the BullMQ queue `mitigation`
 * and applies each decision once (job ids are the decision ids, so replays never reach here twice).
 * Runs until SIGINT/SIGTERM.
 */
import { LogEnforcer, startEnforceWorker, WebhookEnforcer, type Enforcer } from '../../sinks/bullmq';
import { BadArgumentError } from '../errors';
import { ExitCode } from '../exit-codes';

export interface EnforceCommandOptions {
  enforcer: string;
  url?: string;
  redis?: string;
  concurrency?: number;
}

export function createEnforcer(kind: string, url: string | undefined): Enforcer {
  if (kind === 'log') return new LogEnforcer();
  if (kind === 'webhook') {
    if (url === undefined) throw new BadArgumentError('--enforcer webhook needs --url');
    try {
      return new WebhookEnforcer({ url });
    } catch {
      throw new BadArgumentError(`--url: '${url}' is not a URL`);
    }
  }
  throw new BadArgumentError(`--enforcer: expected log or webhook, got '${kind}' (the linux enforcer comes with live mitigation)`);
}

export async function enforceCommand(o: EnforceCommandOptions): Promise<number> {
  const enforcer = createEnforcer(o.enforcer, o.url);
  const redisUrl = o.redis ?? process.env.REDIS_URL;
  if (redisUrl === undefined || redisUrl === '') throw new BadArgumentError('no Redis: pass --redis or set REDIS_URL');
  const worker = startEnforceWorker({
    redisUrl,
    enforcer,
    concurrency: o.concurrency,
    onFailed: (jobId, err) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'mitigation job failed', jobId, err: err.message })}\n`),
  });
  process.stderr.write(`prescient enforce: ${enforcer.kind} enforcer on queue 'mitigation' (${redisUrl.replace(/\/\/[^@]*@/, '//***@')})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
  return ExitCode.OK;
}
