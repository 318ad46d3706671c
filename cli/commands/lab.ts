/** `prescient lab`: a lab run with progress, then where its outputs are. */
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { defaultLabDir, loadLabSchedule, parseLabSchedule, runLab, type LabProgress } from '../../lab';

export interface LabCommandOptions {
  out: string;
  schedule?: string;
  duration?: number;
  attacks: boolean;
  stateDir?: string;
  quiet?: boolean;
}

export async function labCommand(o: LabCommandOptions): Promise<void> {
  const file = o.schedule ?? join(defaultLabDir(), 'schedules', 'default.json');
  const loaded = loadLabSchedule(file);
  const schedule = parseLabSchedule({ ...loaded, durationSec: o.duration ?? loaded.durationSec, attacks: o.attacks ? loaded.attacks : [] }, file);
  const tty = Boolean(process.stderr.isTTY) && !o.quiet;
  const bar = tty ? new SingleBar({ format: 'lab {phase} |{bar}| {value}/{total} s  attacks {done}/{all} {attack}', stream: process.stderr }, Presets.shades_classic) : null;
  let lastPhase = '';
  const onProgress = (p: LabProgress): void => {
    if (bar !== null) {
      if (p.phase === 'running' && lastPhase !== 'running') bar.start(p.durationSec, 0, { phase: p.phase, done: 0, all: p.attacksTotal, attack: '' });
      bar.update(Math.round(p.elapsedSec), { phase: p.phase, done: p.attacksDone, all: p.attacksTotal, attack: p.attack ?? '' });
      if (p.phase === 'down' && lastPhase === 'running') bar.stop();
    } else if (!o.quiet && p.phase !== lastPhase) {
      process.stderr.write(`lab: ${p.phase}${p.phase === 'running' ? ` (${p.durationSec}s, ${p.attacksTotal} attacks)` : ''}\n`);
    }
    lastPhase = p.phase;
  };
  const r = await runLab({ out: o.out, schedule, stateDir: o.stateDir, onProgress });
  const benign = Object.entries(r.benign).map(([k, [ok, fail]]) => `${k} ${ok} ok/${fail} failed`).join(', ');
  process.stdout.write(
    `${r.packets.toLocaleString('en-US')} packets -> ${r.pcapPath}\n` +
      `labels -> ${r.labelsPath} (${r.labels.map((l) => `${l.kind}: ${l.packets} packets`).join(', ') || 'benign only'})\n` +
      `inventory -> ${r.inventoryPath}\n` +
      `capture: ${r.captureReport.split('\n').join(', ')}\n` +
      `benign clients: ${benign}\n`,
  );
}
