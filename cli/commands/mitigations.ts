/** `prescient mitigations list|lift`: reads and changes the enforcers' state file (and the kernel, for lift). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { liftMitigations, MitigationStateStore, type MitigationRecord } from '../../sinks/enforcers';
import { BadArgumentError } from '../errors';

function store(dir: string): MitigationStateStore {
  if (!existsSync(join(dir, 'mitigations.json'))) throw new BadArgumentError(`no mitigation state in ${dir} (is --state-dir the enforcer's?)`);
  return new MitigationStateStore(dir);
}

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function mitigationsList(o: { stateDir: string; all?: boolean; vm?: string; json?: boolean }, now = Date.now()): string {
  const records = store(o.stateDir).load()
    .filter((r) => (o.all === true || r.status === 'active') && (o.vm === undefined || r.vmId === o.vm));
  if (o.json === true) return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (records.length === 0) return o.all === true ? 'no mitigations recorded\n' : 'no active mitigations\n';
  const rows = records.map((r) => [
    r.id, r.vmId, r.applied ?? r.requested, r.status, r.netns ?? '-', r.tc !== null ? `${r.tc.kbps} kbit/s on ${r.tc.port}` : `${r.nft.length} nft elements`,
    iso(r.appliedAtMs), r.status === 'active' ? `${Math.max(0, Math.round((r.expiresAtMs - now) / 1000))}s left` : iso(r.endedAtMs), r.note,
  ]);
  const head = ['ID', 'VM', 'ACTION', 'STATUS', 'NETNS', 'TARGET', 'APPLIED', 'EXPIRES/ENDED', 'NOTE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export async function mitigationsLift(id: string | undefined, o: { stateDir: string; vm?: string; all?: boolean }): Promise<string> {
  const chosen = [id !== undefined, o.vm !== undefined, o.all === true].filter(Boolean).length;
  if (chosen !== 1) throw new BadArgumentError('mitigations lift: give exactly one of <id>, --vm <id> or --all');
  const s = store(o.stateDir);
  const match = (r: MitigationRecord): boolean => o.all === true || (id !== undefined ? r.id === id : r.vmId === o.vm);
  if (id !== undefined && !s.load().some((r) => r.id === id && r.status === 'active')) {
    throw new BadArgumentError(`no active mitigation '${id}' in ${s.file} (see prescient mitigations list)`);
  }
  const lifted = await liftMitigations(s, match, 'lifted', 'lifted by hand (prescient mitigations lift)');
  return lifted.length === 0 ? 'nothing to lift\n' : lifted.map((r) => `lifted ${r.id} (${r.vmId} ${r.applied})\n`).join('');
}
