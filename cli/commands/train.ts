/** `prescient train`: an LSTM on historical packets (pcap or synthetic), saved as a model directory. */
import { SingleBar, Presets } from 'cli-progress';
import { PcapSource, SyntheticSource, type PacketSource } from '../../sources';
import { BACKEND_CHOICES, collectSequences, saveModel, selectBackend, trainModel, type BackendChoice, type ModelMetadata } from '../../models';
import { BadArgumentError } from '../errors';

export interface TrainCommandOptions {
  out: string;
  pcap?: string[];
  inventory?: string;
  synthetic?: boolean;
  seed: number;
  vms: number;
  durationSec: number;
  hidden: number;
  seqLen: number;
  epochs: number;
  patience: number;
  maxPerVm: number;
  backend: string;
}

function sources(o: TrainCommandOptions): PacketSource[] {
  if (o.pcap && o.pcap.length > 0) return o.pcap.map((path) => new PcapSource({ path, inventory: o.inventory }));
  if (o.synthetic) return [new SyntheticSource({ seed: o.seed, vmCount: o.vms, durationSec: o.durationSec, attacks: [] })];
  throw new BadArgumentError('train needs --pcap FILE (repeatable) or --synthetic');
}

export async function trainCommand(o: TrainCommandOptions): Promise<ModelMetadata> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(o.backend)) throw new BadArgumentError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${o.backend}'`);
  const backend = await selectBackend(o.backend as BackendChoice);
  process.stderr.write(`backend: ${backend}\n`);
  const sequences = [];
  for (const src of sources(o)) {
    process.stderr.write(`reading ${src.description} ...\n`);
    sequences.push(...(await collectSequences(src, { maxPerVm: o.maxPerVm })));
    await src.close?.();
  }
  const packets = sequences.reduce((n, s) => n + s.length, 0);
  process.stderr.write(`${sequences.length} VM sequences, ${packets} packets\n`);
  const bar = new SingleBar(
    { format: 'train [{bar}] epoch {value}/{total} | loss {loss} | val {val} | stale {stale}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 5000 },
    Presets.shades_classic,
  );
  bar.start(o.epochs, 0, { loss: '-', val: '-', stale: 0 });
  const result = await trainModel(sequences, {
    hidden: o.hidden,
    seqLen: o.seqLen,
    epochs: o.epochs,
    patience: o.patience,
    validationSplit: 0.2,
    seed: o.seed,
    onProgress: (p) => bar.update(p.epoch, { loss: p.loss.toFixed(4), val: p.valLoss?.toFixed(4) ?? '-', stale: p.stale }),
  });
  bar.stop();
  try {
    return await saveModel(o.out, result);
  } finally {
    result.model.dispose();
  }
}
