/** `prescient generate`: a synthetic capture as pcap, with its labels and inventory beside it. */
import { SingleBar, Presets } from 'cli-progress';
import { generateToPcap, type GenerateResult } from '../../sources';
import { demoAttackPlan } from '../source-factory';

export interface GenerateCommandOptions {
  out: string;
  seed: number;
  vms: number;
  durationSec: number;
  attacks: boolean;
}

export async function generateCommand(opts: GenerateCommandOptions): Promise<GenerateResult> {
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'generate [{bar}] {percentage}% | {packets} packets', stream: process.stderr }, Presets.shades_classic) : null;
  bar?.start(100, 0, { packets: 0 });
  const result = await generateToPcap(
    { seed: opts.seed, vmCount: opts.vms, durationSec: opts.durationSec, attacks: opts.attacks ? demoAttackPlan(opts.durationSec) : [] },
    opts.out,
    { onProgress: (p) => bar?.update(Math.round(p.fraction * 100), { packets: p.packets }) },
  );
  bar?.stop();
  return result;
}
