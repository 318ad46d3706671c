/** Registration of `prescient lab` (the implementation, in lab/, loads on demand). */
import type { Command } from 'commander';
import { positive } from '../arg-parsers';


export function registerLabCommand(program: Command): void {
  program
    .command('lab')
    .description('run the namespace lab (deploy/lab: VMs on a bridge, benign traffic, scheduled real attacks) and write capture.pcap, labels.jsonl, inventory.csv; needs root')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('--schedule <file>', 'schedule JSON (default deploy/lab/schedules/default.json)')
    .option('--duration <sec>', 'override the schedule duration (attacks that would not fit are refused)', positive('--duration'))
    .option('--no-attacks', 'benign traffic only (training data)')
    .option('--state-dir <dir>', "lab.sh's state directory (pids, logs); default a fresh temp dir")
    .option('-q, --quiet', 'no progress')
    .action(async (o: { out: string; schedule?: string; duration?: number; attacks: boolean; stateDir?: string; quiet?: boolean }) => {
      const { labCommand } = await import('./lab');
      await labCommand(o);
    });
}
