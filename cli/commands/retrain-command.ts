/** Registration of `prescient retrain` (the implementation, with bullmq and tfjs, loads on demand). */
import type { Command } from 'commander';
import { int as count, positive } from '../arg-parsers';



export function registerRetrainCommand(program: Command): void {
  program
    .command('retrain')
    .description("retraining jobs on the BullMQ queue 'retrain': --enqueue one, or run --worker; running topologies swap to the new model without a restart")
    .option('--enqueue', 'add a retraining job')
    .option('--worker', 'train queued jobs until SIGINT/SIGTERM, announcing each new model version')
    .option('--redis <url>', 'Redis URL (default $REDIS_URL)')
    .option('--target <model>', "the predict operators' model setting to replace ('default' or a directory)", 'default')
    .option('--models-dir <dir>', 'new versions are written to <dir>/<version> (shared by all workers)', 'models/versions')
    .option('--pcap <file>', 'recent traffic to learn from (pcap/pcapng)')
    .option('--inventory <file>', 'VM inventory CSV of the capture')
    .option('--max-packets <n>', 'read at most this many packets of the capture', count('--max-packets'))
    .option('--synthetic', 'learn from attack-free synthetic traffic (demo)')
    .option('--seed <n>', 'seed (synthetic traffic and weight init)', count('--seed'))
    .option('--vms <n>', 'synthetic VM count', count('--vms'))
    .option('--duration <sec>', 'synthetic duration in seconds', positive('--duration'))
    .option('--hidden <n>', 'LSTM hidden size', count('--hidden'))
    .option('--seq-len <n>', 'training window length', count('--seq-len'))
    .option('--epochs <n>', 'maximum epochs', count('--epochs'))
    .option('--patience <n>', 'early stopping patience', count('--patience'))
    .option('--max-per-vm <n>', 'packets kept per VM', count('--max-per-vm'))
    .option('--job-id <id>', 'deterministic job id (a repeated add is ignored)')
    .option('--wait <sec>', 'wait up to this long for the job and print its result', positive('--wait'))
    .action(async (o: Record<string, unknown>) => {
      const { retrainCommand } = await import('./retrain');
      process.exitCode = await retrainCommand({
        ...(o as { target: string; modelsDir: string }),
        durationSec: o.duration as number | undefined,
        waitSec: o.wait as number | undefined,
      });
    });
}
