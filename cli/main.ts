#!/usr/bin/env node
/** The `prescient` command. Exit codes: see cli/exit-codes.ts and the README. */
import { Command, InvalidArgumentError } from 'commander';
import { runCommand } from './commands/run';
import { validateCommand } from './commands/validate';
import { generateCommand } from './commands/generate';
import { ExitCode } from './exit-codes';
import { isBadInput } from './errors';

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'`);
    return n;
  };
}

export function buildProgram(): Command {
  const program = new Command('prescient')
    .description('Per-VM next-packet prediction, anomaly scoring and mitigation over virtual-network traffic')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT));

  program
    .command('run')
    .description('run a topology on the embedded runtime (no Kafka, no Redis needed)')
    .option('-t, --topology <file>', 'topology YAML (default: topology/default.yaml)')
    .option('--pcap <file>', 'read packets from this pcap/pcapng instead of the topology source')
    .option('--synthetic', 'use the synthetic traffic generator instead of the topology source')
    .option('--inventory <file>', 'VM inventory CSV (MAC/IP/CIDR -> vmId, accountId, vnetId)')
    .option('--seed <n>', 'synthetic seed', int('--seed'))
    .option('--vms <n>', 'synthetic VM count', int('--vms'))
    .option('--duration <sec>', 'synthetic duration in seconds', positive('--duration'))
    .option('--max-packets <n>', 'stop after this many packets', int('--max-packets'))
    .option('-o, --out <dir>', 'output directory for anomalies/mitigations/forensics JSON lines', 'out')
    .option('-q, --quiet', 'no summary, warnings only')
    .action(async (o: { topology?: string; pcap?: string; synthetic?: boolean; inventory?: string; seed?: number; vms?: number; duration?: number; maxPackets?: number; out: string; quiet?: boolean }) => {
      const outcome = await runCommand({ ...o, durationSec: o.duration });
      process.exitCode = outcome.exitCode;
    });

  program
    .command('validate <file>')
    .description('check a topology file (operators, policies, sources) without running it')
    .action((file: string) => {
      process.stdout.write(validateCommand(file) + '\n');
    });

  program
    .command('generate')
    .description('write a synthetic capture (capture.pcap), its attack labels (labels.jsonl) and inventory (inventory.csv)')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('--seed <n>', 'seed', int('--seed'), 42)
    .option('--vms <n>', 'VM count', int('--vms'), 64)
    .option('--duration <sec>', 'duration in seconds', positive('--duration'), 60)
    .option('--no-attacks', 'benign traffic only')
    .action(async (o: { out: string; seed: number; vms: number; duration: number; attacks: boolean }) => {
      const r = await generateCommand({ out: o.out, seed: o.seed, vms: o.vms, durationSec: o.duration, attacks: o.attacks });
      process.stdout.write(`${r.packets.toLocaleString('en-US')} packets -> ${r.pcapPath}\nlabels -> ${r.labelsPath} (${r.labels.length} attacks)\ninventory -> ${r.inventoryPath}\n`);
    });

  program
    .command('train')
    .description('train the next-packet LSTM on historical packets and save a model directory (tfjs format + metadata)')
    .requiredOption('-o, --out <dir>', 'model directory to write')
    .option('--pcap <file...>', 'training captures (benign traffic)')
    .option('--inventory <file>', 'VM inventory CSV for the captures')
    .option('--synthetic', 'train on attack-free synthetic traffic')
    .option('--seed <n>', 'seed (synthetic traffic and weight init)', int('--seed'), 7)
    .option('--vms <n>', 'synthetic VM count', int('--vms'), 40)
    .option('--duration <sec>', 'synthetic duration in seconds', positive('--duration'), 120)
    .option('--hidden <n>', 'LSTM hidden size', int('--hidden'), 32)
    .option('--seq-len <n>', 'training window length in packets', int('--seq-len'), 32)
    .option('--epochs <n>', 'maximum epochs', int('--epochs'), 20)
    .option('--patience <n>', 'early stopping: epochs without validation improvement', int('--patience'), 3)
    .option('--max-per-vm <n>', 'packets kept per VM', int('--max-per-vm'), 3000)
    .option('--backend <name>', 'tfjs backend: auto | tfjs-node-gpu | tfjs-node | wasm | cpu', 'auto')
    .action(async (o: { out: string; pcap?: string[]; inventory?: string; synthetic?: boolean; seed: number; vms: number; duration: number; hidden: number; seqLen: number; epochs: number; patience: number; maxPerVm: number; backend: string }) => {
      // Loaded on demand: tfjs takes a while to import and only train needs it here.
      const { trainCommand } = await import('./commands/train');
      const meta = await trainCommand({ ...o, durationSec: o.duration });
      process.stdout.write(`model ${meta.version} -> ${o.out}\nvalidation: ${JSON.stringify(meta.metrics)}\n`);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (isBadInput(err)) {
      process.stderr.write(`prescient: ${err.message}\n`);
      process.exitCode = ExitCode.BAD_INPUT;
    } else {
      process.stderr.write(`prescient: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = ExitCode.FAILURE;
    }
  }
}

if (require.main === module) void main(process.argv);
