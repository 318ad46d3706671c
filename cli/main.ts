#!/usr/bin/env -S node --max-semi-space-size=128
/** The `prescient` command. Exit codes: see cli/exit-codes.ts and the README. */
import { Command } from 'commander';
import { runCommand } from './commands/run';
import { validateAction } from './commands/validate';
import { generateCommand } from './commands/generate';
import { ExitCode } from './exit-codes';
import { durationUs, int, positive } from './arg-parsers';
import { isBadInput, isServiceUnavailable, isServiceUnreachable } from './errors';
import { metricsPortOption, traceFileOption, traceSampleOption, type TelemetryCliOptions } from './telemetry-options';
import { registerRetrainCommand } from './commands/retrain-command';
import { registerLabCommand } from './commands/lab-command';
import { registerMitigationsCommand } from './commands/mitigations-command';
import { addEnforcerOptions } from './commands/enforcer-options';
import { registerBenchCommand } from './commands/bench-command';
import { addKafkaOptions, type KafkaCliOptions } from './kafka-options';




export function buildProgram(): Command {
  const program = new Command('prescient')
    .description('Per-VM next-packet prediction, anomaly scoring and mitigation over virtual-network traffic')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT));

  addEnforcerOptions(program.command('run'), 'run')
    .description('run a topology on the embedded runtime (no Kafka, no Redis needed)')
    .option('-t, --topology <file>', 'topology YAML (default: topology/default.yaml)')
    .option('--pcap <file>', 'read packets from this pcap/pcapng instead of the topology source')
    .option('--synthetic', 'use the synthetic traffic generator instead of the topology source')
    .option('--live <iface>', 'capture live from this interface (tcpdump; stops on --duration, --max-packets or Ctrl-C)')
    .option('--netns <name>', 'with --live: the network namespace the interface is in')
    .option('--bpf <expr>', 'with --live: BPF capture filter, e.g. "ip and not port 22"')
    .option('--inventory <file>', 'VM inventory CSV (MAC/IP/CIDR -> vmId, accountId, vnetId)')
    .option('--seed <n>', 'synthetic seed', int('--seed'))
    .option('--vms <n>', 'synthetic VM count', int('--vms'))
    .option('--duration <sec>', 'synthetic duration in seconds', positive('--duration'))
    .option('--max-packets <n>', 'stop after this many packets', int('--max-packets'))
    .option('-o, --out <dir>', 'output directory for anomalies/mitigations/forensics JSON lines', 'out')
    .option('-q, --quiet', 'no summary, warnings only')
    .option('--no-store', 'do not keep anomalies in the local forensic store <out>/forensics.db')
    .option('--retention <duration>', 'forensic store retention, e.g. 7d, 12h (default 30 days)', durationUs('--retention'))
    .option('--incident-gap <duration>', 'anomalies of a VM further apart than this start a new incident (default 5m)', durationUs('--incident-gap'))
    .addOption(metricsPortOption()).addOption(traceSampleOption()).addOption(traceFileOption())
    .action(async (o: TelemetryCliOptions & { topology?: string; pcap?: string; synthetic?: boolean; live?: string; netns?: string; bpf?: string; inventory?: string; seed?: number; vms?: number; duration?: number; maxPackets?: number; out: string; quiet?: boolean; store: boolean; retention?: number; incidentGap?: number }) => {
      const outcome = await runCommand({ ...o, durationSec: o.duration, retentionUs: o.retention, incidentGapUs: o.incidentGap });
      process.exitCode = outcome.exitCode;
    });

  program
    .command('validate [file]')
    .description('check a topology file (operators, policies, sources) without running it, or with --region a whole region before a deploy')
    .option('--region <name>', 'check deploy/regions/<name>/region.yaml: topology, policy, model, topics, replicas <= partitions, TLS, k8s overlay')
    .option('--regions-dir <dir>', 'folder of the region folders (default deploy/regions)')
    .action((file: string | undefined, o: { region?: string; regionsDir?: string }) => {
      process.stdout.write(validateAction(file, o) + '\n');
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

  program
    .command('eval')
    .description('detection metrics (ROC AUC, AP, TPR at FPR, per-attack delay and recall) of a topology on labelled traffic; writes eval.json, scores.svg, roc.svg')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('-t, --topology <file>', 'topology YAML (default: topology/default.yaml)')
    .option('--scenario <name>', "generated scenario: 'synthetic'")
    .option('--seed <n>', 'scenario seed', int('--seed'))
    .option('--vms <n>', 'scenario VM count', int('--vms'))
    .option('--duration <sec>', 'scenario duration in seconds', positive('--duration'))
    .option('--kinds <list>', "scenario attack kinds, comma-separated, or 'all'", 'all')
    .option('--pcap <file>', 'labelled capture (e.g. from `prescient generate` or `prescient mix`)')
    .option('--labels <file>', 'labels.jsonl of the capture')
    .option('--inventory <file>', 'VM inventory CSV of the capture')
    .option('--warmup <sec>', 'also rank the packets after this many seconds alone (the first ones are learnt from, not ranked)', positive('--warmup'))
    .option('-q, --quiet', 'no progress and no report on stdout')
    .action(async (o: { out: string; topology?: string; scenario?: string; seed?: number; vms?: number; duration?: number; kinds: string; pcap?: string; labels?: string; inventory?: string; warmup?: number; quiet?: boolean }) => {
      // Loaded on demand: the topology may load tfjs, and vega is imported only here.
      const { evalCommand } = await import('./commands/eval');
      await evalCommand({ ...o, durationSec: o.duration, warmupSec: o.warmup });
    });

  program
    .command('mix')
    .description('mix a real attack capture into benign traffic as a compromised VM: capture.pcap, labels.jsonl, inventory.csv')
    .requiredOption('--benign <file>', 'benign capture')
    .requiredOption('--benign-inventory <file>', 'VM inventory CSV of the benign capture')
    .option('--benign-labels <file>', 'labels of attacks already in the benign capture, kept')
    .requiredOption('--attack <file>', 'attack capture (Ethernet, IPv4)')
    .requiredOption('--vm <id>', 'the VM that becomes the attacker')
    .option('--at <sec>', 'attack start, seconds after the benign capture starts', Number, 0)
    .option('--attacker <ip>', 'attacker IPv4 address (default: the source sending the most packets)')
    .option('--max-gap <sec>', 'shorten idle gaps between attack packets to this (default: keep the timeline)', positive('--max-gap'))
    .option('--kind <kind>', 'attack kind written in the label', 'port_scan')
    .requiredOption('-o, --out <dir>', 'output directory')
    .action(async (o: { benign: string; benignInventory: string; benignLabels?: string; attack: string; vm: string; at: number; attacker?: string; maxGap?: number; kind: string; out: string }) => {
      const { mixCommand, formatMixResult } = await import('./commands/mix');
      const r = mixCommand({ ...o, atSec: o.at, maxGapSec: o.maxGap });
      process.stdout.write(`${formatMixResult(r)}\n`);
    });

  addKafkaOptions(program
    .command('worker')
    .description('join the consumer group of a kafka-sourced topology: partitions become tasks, state checkpointed to Redis')
    .option('-t, --topology <file>', 'topology YAML with source.kind kafka (required unless --region)')
    .option('--region <name>', 'take topology, topics, brokers, Redis, TLS/SASL from deploy/regions/<name>/region.yaml (flags override)')
    .option('--regions-dir <dir>', 'folder of the regions (default deploy/regions)'))
    .option('--brokers <list>', 'Kafka brokers host:port,... (default $KAFKA_BROKERS, then source.brokers)')
    .option('--redis <url>', 'Redis URL for state and the mitigation queue (default $REDIS_URL, then state.url)')
    .option('--group <id>', 'consumer group (default prescient-<topology name>)')
    .option('--no-queue', 'do not enqueue mitigation jobs to BullMQ')
    .option('-q, --quiet', 'warnings only')
    .option('--connect-attempts <n>', 'attempts to reach the brokers at start, with exponential backoff, before exiting 69 (default 5)', int('--connect-attempts'))
    .option('--connect-backoff <ms>', 'first backoff delay, doubling up to 15 s (default 1000)', int('--connect-backoff'))
    .option('--topic-prefix <prefix>', 'prefix of the output and dead-letter topics, e.g. eu-west-1.')
    .option('--queue-name <name>', "BullMQ queue of mitigation jobs (default 'mitigation')")
    .addOption(metricsPortOption()).addOption(traceSampleOption()).addOption(traceFileOption())
    .action(async (o: TelemetryCliOptions & KafkaCliOptions & { topology?: string; region?: string; regionsDir?: string; brokers?: string; redis?: string; group?: string; queue: boolean; quiet?: boolean; connectAttempts?: number; connectBackoff?: number; topicPrefix?: string; queueName?: string }) => {
      const { workerCommand } = await import('./commands/worker');
      process.exitCode = await workerCommand({ ...o, connectBackoffMs: o.connectBackoff });
    });

  addKafkaOptions(program
    .command('publish'))
    .description('produce a capture to Kafka as Avro PacketEvents keyed by vmId (creates the topic if missing)')
    .requiredOption('--pcap <file>', 'capture to publish (pcap or pcapng)')
    .option('--inventory <file>', 'VM inventory CSV (MAC/IP/CIDR -> vmId, accountId, vnetId)')
    .option('--rate <pps>', 'packets per second', positive('--rate'))
    .option('--speed <x>', 'replay at this multiple of capture time', positive('--speed'))
    .option('-t, --topology <file>', 'take the topic and partition count from this topology')
    .option('--topic <name>', 'topic (default: the topology source topic, else packets)')
    .option('--partitions <n>', 'partitions when the topic is created (default: the topology partitions, else 4)', int('--partitions'))
    .option('--brokers <list>', 'Kafka brokers host:port,... (default $KAFKA_BROKERS)')
    .option('--max-packets <n>', 'stop after this many packets', int('--max-packets'))
    .option('--connect-attempts <n>', 'attempts to reach the brokers, with exponential backoff, before exiting 69 (default 5)', int('--connect-attempts'))
    .option('--connect-backoff <ms>', 'first backoff delay, doubling up to 15 s (default 1000)', int('--connect-backoff'))
    .action(async (o: KafkaCliOptions & { pcap: string; inventory?: string; rate?: number; speed?: number; topology?: string; topic?: string; partitions?: number; brokers?: string; maxPackets?: number; connectAttempts?: number; connectBackoff?: number }) => {
      const { publishCommand } = await import('./commands/publish');
      const r = await publishCommand({ ...o, connectBackoffMs: o.connectBackoff });
      process.stdout.write(`${JSON.stringify({ topic: r.topic, packets: r.packets, perPartition: r.perPartition, vms: Object.keys(r.perVm).length, wallMs: r.wallMs })}\n`);
    });

  addEnforcerOptions(program.command('enforce'), 'enforce')
    .description("apply mitigation jobs from the BullMQ queue 'mitigation' (each decision once)")
    .option('--enforcer <kind>', 'log | webhook | nftables | tc | linux', 'log')
    .option('--url <url>', 'webhook URL (POST, JSON)')
    .option('--redis <url>', 'Redis URL (default $REDIS_URL)')
    .option('--concurrency <n>', 'jobs applied at once', int('--concurrency'), 4)
    .action(async (o: { enforcer: string; url?: string; redis?: string; concurrency: number }) => {
      const { enforceCommand } = await import('./commands/enforce');
      process.exitCode = await enforceCommand(o);
    });

  program
    .command('forensics')
    .description('query the forensic store: anomalies (table, JSON lines or a pcap of the actual packets), incidents, the explain view of one anomaly')
    .requiredOption('--store <file>', 'forensic store (forensics.db written by `prescient run`)')
    .option('--vm <id>', 'only this VM')
    .option('--account <id>', 'only this account')
    .option('--since <time>', 'from this time (ISO 8601, or microseconds since the epoch)')
    .option('--until <time>', 'up to this time (ISO 8601, or microseconds since the epoch)')
    .option('--severity <level>', 'at least this severity: low | medium | high | critical')
    .option('--incident <id>', 'only the anomalies of this incident')
    .option('--incidents', 'list incidents instead of anomalies')
    .option('--explain <anomalyId>', 'predicted against actual per feature, the score terms and the baseline of one anomaly')
    .option('--format <fmt>', 'table | json | pcap', 'table')
    .option('-o, --output <file>', 'output file (required for pcap; default stdout)')
    .option('--limit <n>', 'at most this many rows', int('--limit'))
    .action(async (o: { store: string; vm?: string; account?: string; since?: string; until?: string; severity?: string; incident?: string; incidents?: boolean; explain?: string; format: string; output?: string; limit?: number }) => {
      const { forensicsCommand } = await import('./commands/forensics');
      process.exitCode = forensicsCommand(o);
    });

  registerRetrainCommand(program);
  registerLabCommand(program);
  registerMitigationsCommand(program);
  registerBenchCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (isBadInput(err)) {
      process.stderr.write(`prescient: ${err.message}\n`);
      process.exitCode = ExitCode.BAD_INPUT;
    } else if (isServiceUnavailable(err)) {
      process.stderr.write(`prescient: ${err.message}\n`);
      // Unreachable (after the command's retries): 69, so a supervisor backs off instead of crash-looping.
      process.exitCode = isServiceUnreachable(err) ? ExitCode.SERVICE_UNAVAILABLE : ExitCode.FAILURE;
    } else {
      process.stderr.write(`prescient: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = ExitCode.FAILURE;
    }
  }
}

if (require.main === module) {
  // `prescient run | head` closes our stdout early: that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
    throw err;
  });
  void main(process.argv);
}
