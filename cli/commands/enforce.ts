/**
 * `prescient enforce [--enforcer log|webhook|nftables|tc|linux ...]`: consumes the BullMQ queue
 * `mitigation` and applies each decision once (job ids are the decision ids, so replays never reach
 * here twice). A failed apply fails the job, and BullMQ retries it with exponential backoff (the
 * queue sink sets 5 attempts from 1 s); an error retrying cannot fix (missing tool, capability, netns)
 * fails it at once. Failed jobs are kept in the queue. Runs until SIGINT/SIGTERM.
 */
import { UnrecoverableError } from 'bullmq';
import { LogEnforcer, startEnforceWorker, WebhookEnforcer, type Enforcer } from '../../sinks/bullmq';
import type { EnforcerLog } from '../../sinks/enforcers';
import { BadArgumentError } from '../errors';
import { ExitCode } from '../exit-codes';
import { closeEnforcer, createLinuxEnforcerFromFlags, LINUX_ENFORCERS, type LinuxEnforcerFlags } from './enforcer-options';

export interface EnforceCommandOptions extends LinuxEnforcerFlags {
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
  throw new BadArgumentError(`--enforcer: expected log or webhook here, got '${kind}' (nftables, tc and linux: createEnforcerFromOptions)`);
}

/** Any enforcer kind: log, webhook, or a Linux one (nftables, tc, linux) built from its flags. */
export async function createEnforcerFromOptions(o: EnforceCommandOptions, log?: EnforcerLog): Promise<Enforcer> {
  if ((LINUX_ENFORCERS as readonly string[]).includes(o.enforcer)) return createLinuxEnforcerFromFlags(o.enforcer, o, log);
  if (o.enforcer !== 'log' && o.enforcer !== 'webhook') {
    throw new BadArgumentError(`--enforcer: expected log, webhook, ${LINUX_ENFORCERS.join(', ')}; got '${o.enforcer}'`);
  }
  return createEnforcer(o.enforcer, o.url);
}

/** Makes BullMQ skip the retries of errors that say retrying cannot help. */
function failFastOnPermanentErrors(e: Enforcer): Enforcer {
  return {
    kind: e.kind,
    async apply(d, jobId) {
      try {
        await e.apply(d, jobId);
      } catch (err) {
        if (err instanceof Error && (err as { retryable?: boolean }).retryable === false) throw new UnrecoverableError(`${err.name}: ${err.message}`);
        throw err;
      }
    },
  };
}

export async function enforceCommand(o: EnforceCommandOptions): Promise<number> {
  const redisUrl = o.redis ?? process.env.REDIS_URL;
  if (redisUrl === undefined || redisUrl === '') throw new BadArgumentError('no Redis: pass --redis or set REDIS_URL');
  const enforcer = await createEnforcerFromOptions(o);
  const worker = startEnforceWorker({
    redisUrl,
    enforcer: failFastOnPermanentErrors(enforcer),
    concurrency: o.concurrency,
    onFailed: (jobId, err) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'mitigation job failed', jobId, err: err.message })}\n`),
  });
  const where = o.netns === undefined ? '' : ` in netns '${o.netns}'`;
  process.stderr.write(`prescient enforce: ${enforcer.kind} enforcer${where} on queue 'mitigation' (${redisUrl.replace(/\/\/[^@]*@/, '//***@')})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
  closeEnforcer(enforcer);
  return ExitCode.OK;
}
