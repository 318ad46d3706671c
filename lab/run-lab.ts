/**
 * `prescient lab`: brings the lab up, captures the bridge, runs benign traffic and the scheduled
 * attacks, and always tears the lab down; writes capture.pcap, labels.jsonl and inventory.csv.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labelsToJsonl, type AttackLabel } from '../sources/synthetic/labels';
import { countLabelPackets, labelsFromRuns, readLabVms, type AttackRun } from './lab-labels';
import type { LabSchedule } from './lab-schedule';
import { LabError } from './lab-error';
import { LabScript } from './lab-script';

export type LabPhase = 'up' | 'running' | 'labels' | 'down' | 'done';

export interface LabProgress {
  phase: LabPhase;
  elapsedSec: number;
  durationSec: number;
  /** Attack running now, if any. */
  attack: string | null;
  attacksDone: number;
  attacksTotal: number;
}

export interface RunLabOptions {
  out: string;
  schedule: LabSchedule;
  /** lab.sh's state dir (default: a fresh temp dir). */
  stateDir?: string;
  labDir?: string;
  onProgress?: (p: LabProgress) => void;
  /** Called once the lab is up and capturing, before traffic starts (the e2e test starts Prescient here). */
  onUp?: (lab: LabScript) => Promise<void> | void;
}

export interface LabResult {
  pcapPath: string;
  labelsPath: string;
  inventoryPath: string;
  labels: AttackLabel[];
  /** Packets in the capture that decode to IP. */
  packets: number;
  /** What tcpdump said at the end (captured / dropped by kernel). */
  captureReport: string;
  /** Benign clients' request outcomes, from their logs: name -> [ok, fail]. */
  benign: Record<string, [number, number]>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runLab(o: RunLabOptions): Promise<LabResult> {
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const lab = new LabScript(o.stateDir ?? mkdtempSync(join(tmpdir(), 'prescient-lab-')), o.labDir);
  const s = o.schedule;
  const pcapPath = join(out, 'capture.pcap');
  const progress: LabProgress = { phase: 'up', elapsedSec: 0, durationSec: s.durationSec, attack: null, attacksDone: 0, attacksTotal: s.attacks.length };
  const report = (): void => o.onProgress?.({ ...progress });
  report();
  const runs: AttackRun[] = [];
  let captureReport = '';
  let ticker: NodeJS.Timeout | undefined;
  // Interrupted (Ctrl-C): stop waiting and fall through to `down` rather than leave namespaces behind.
  let onSignal = (): void => undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = () => reject(new LabError('lab', 'interrupted; the lab was torn down'));
  });
  interrupted.catch(() => undefined);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await lab.up();
    await lab.captureStart(pcapPath);
    await o.onUp?.(lab);
    progress.phase = 'running';
    const t0 = Date.now();
    ticker = setInterval(() => {
      progress.elapsedSec = Math.min(s.durationSec, (Date.now() - t0) / 1000);
      report();
    }, 500);
    if (s.benign) await lab.benign(s.durationSec);
    const attacks = s.attacks.map(async (a) => {
      await sleep(Math.max(0, t0 + a.atSec * 1000 - Date.now()));
      progress.attack = a.kind;
      report();
      const r = await lab.attack(a.kind, a.vm, a.durationSec, a.targets ?? []);
      runs.push({ attack: a, startMs: r.startMs, endMs: r.endMs });
      progress.attacksDone++;
      progress.attack = null;
      report();
    });
    await Promise.race([Promise.all([...attacks, sleep(s.durationSec * 1000)]), interrupted]);
    // Let the last replies reach the capture.
    await sleep(500);
    captureReport = (await lab.captureStop()).output.trim();
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    progress.phase = 'down';
    report();
    try {
      copyFileSync(lab.inventoryPath, join(out, 'inventory.csv'));
    } catch {
      // The lab never came up: there is no inventory to copy; the error that stopped it is thrown.
    }
    await lab.down();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  progress.phase = 'labels';
  report();
  const inventoryPath = join(out, 'inventory.csv');
  // Schedule order, not completion order, so ids are stable.
  runs.sort((a, b) => s.attacks.indexOf(a.attack) - s.attacks.indexOf(b.attack));
  const labels = labelsFromRuns(runs, readLabVms(inventoryPath));
  const packets = await countLabelPackets(labels, pcapPath, inventoryPath);
  const labelsPath = join(out, 'labels.jsonl');
  writeFileSync(labelsPath, labelsToJsonl(labels));
  progress.phase = 'done';
  report();
  return { pcapPath, labelsPath, inventoryPath, labels, packets, captureReport, benign: readBenignOutcomes(lab) };
}

/** The benign clients' logs ("epoch_ms ok|fail" per request): name -> [ok, fail], optionally from `sinceMs`. */
export function readBenignOutcomes(lab: LabScript, sinceMs = 0): Record<string, [number, number]> {
  const dir = lab.logPath('');
  const out: Record<string, [number, number]> = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ok')).sort()) {
    const counts: [number, number] = [0, 0];
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const [ts, r] = line.split(' ');
      if (r === undefined || Number(ts) < sinceMs) continue;
      if (r === 'ok') counts[0]++;
      else counts[1]++;
    }
    out[f.slice(0, -3)] = counts;
  }
  return out;
}
