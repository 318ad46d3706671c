/**
 * `prescient mix` on a slice of a real capture: the first 200 packets of nmap_80_all mixed into a
 * tiny generated benign capture as a compromised VM, then evaluated end to end. (40 VMs: smaller
 * regions currently trip a generator bug with the platform resolver's address, see the report.)
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mixCommand } from '../../cli/commands/mix';
import { evalCommand } from '../../cli/commands/eval';
import { isBadInput } from '../../cli/errors';
import { attackLabelOf, decodeFrameToPacketEvent, FrameDecodeContext, generateToPcap, loadInventoryFile, parseLabelsJsonl, PcapWriter, readCaptureFile, type GenerateResult } from '../../sources';

const PCAPS = resolve(__dirname, '../../../shared/data/pcaps');
const VICTIM = '130.211.223.103';
const ATTACKER = '10.87.1.10';

interface Frame { tsUs: number; bytes: Buffer }

function readAll(file: string): Frame[] {
  const out: Frame[] = [];
  readCaptureFile(file, (f) => out.push({ tsUs: f.tsUs, bytes: Buffer.from(f.data) }));
  return out;
}

const ipText = (b: Buffer, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

describe('prescient mix on a slice of a real capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-mix-'));
  let benign: GenerateResult;
  let vm: { id: string; ip: string; mac: string };
  let slice: string;

  beforeAll(async () => {
    benign = await generateToPcap({ seed: 42, vmCount: 40, durationSec: 20, attacks: [] }, join(dir, 'benign'));
    const rows = readFileSync(benign.inventoryPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const id = rows[2][2];
    vm = { id, ip: rows.find((r) => r[0] === 'ip' && r[2] === id)![1], mac: rows.find((r) => r[0] === 'mac' && r[2] === id)![1] };
    slice = join(dir, 'nmap-200.pcap');
    const w = new PcapWriter(slice);
    readAll(join(PCAPS, 'esnet_nmap_80_all.pcap')).slice(0, 200).forEach((f) => w.write(f.tsUs, f.bytes));
    w.close();
  });

  it('writes every packet once, in time order, the attacker rewritten to the VM, labels covering exactly the attack', () => {
    const out = join(dir, 'mixed');
    const r = mixCommand({ benign: benign.pcapPath, benignInventory: benign.inventoryPath, attack: slice, vm: vm.id, atSec: 2, out });
    expect(r.attacker).toBe(ATTACKER);
    expect(r.attackPackets).toBe(200);

    const frames = readAll(r.pcapPath);
    expect(frames).toHaveLength(benign.packets + 200);
    const outOfOrder = frames.findIndex((f, i) => i > 0 && f.tsUs < frames[i - 1].tsUs);
    expect(outOfOrder).toBe(-1);

    // The benign packets are untouched and keep their order.
    const benignFrames = readAll(benign.pcapPath);
    const attackFrames = frames.filter((f) => ipText(f.bytes, 26) === VICTIM || ipText(f.bytes, 30) === VICTIM);
    expect(attackFrames).toHaveLength(200);
    const isAttackFrame = new Set(attackFrames);
    const rest = frames.filter((f) => !isAttackFrame.has(f));
    expect(rest).toHaveLength(benignFrames.length);
    rest.forEach((f, k) => {
      if (f.tsUs !== benignFrames[k].tsUs || !f.bytes.equals(benignFrames[k].bytes)) throw new Error(`benign packet ${k} changed`);
    });

    // The attacker is gone: the VM's IP and MAC stand on its side of every attack packet.
    const mac = Buffer.from(vm.mac.replace(/:/g, ''), 'hex');
    for (const f of attackFrames) {
      const fromVm = ipText(f.bytes, 30) === VICTIM;
      expect(ipText(f.bytes, fromVm ? 26 : 30)).toBe(vm.ip);
      expect(f.bytes.subarray(fromVm ? 6 : 0, fromVm ? 12 : 6).equals(mac)).toBe(true);
      expect(f.bytes.toString('hex')).not.toContain(Buffer.from([10, 87, 1, 10]).toString('hex'));
    }
    const startUs = benignFrames[0].tsUs + 2_000_000;
    expect(attackFrames[0].tsUs).toBe(startUs);

    // labels.jsonl: one label; it matches exactly the attack packets, decoded as the runtime decodes them.
    const labels = parseLabelsJsonl(readFileSync(r.labelsPath, 'utf8'));
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ vmId: vm.id, packets: 200, peerIp: VICTIM, peerIps: [VICTIM], knownPeer: false, startUs, capture: 'nmap-200.pcap' });
    const ctx = new FrameDecodeContext({ inventory: loadInventoryFile(r.inventoryPath) });
    let labelled = 0, wrong = 0, i = 0;
    readCaptureFile(r.pcapPath, (f) => {
      const ev = decodeFrameToPacketEvent(f, ctx)!;
      const isAttack = isAttackFrame.has(frames[i++]);
      if ((attackLabelOf(labels, ev) !== undefined) !== isAttack) wrong++;
      if (isAttack && ev.vmId === vm.id && ev.direction !== 'UNKNOWN') labelled++;
    });
    expect(wrong).toBe(0);
    expect(labelled).toBe(200);
    expect(readFileSync(r.inventoryPath, 'utf8')).toBe(readFileSync(benign.inventoryPath, 'utf8'));
  });

  it('refuses a mix whose labels could not be exact (the VM already talks to the peer during the window)', () => {
    const once = join(dir, 'once');
    const r = mixCommand({ benign: benign.pcapPath, benignInventory: benign.inventoryPath, attack: slice, vm: vm.id, atSec: 2, out: once });
    let err: unknown;
    try {
      mixCommand({ benign: r.pcapPath, benignInventory: r.inventoryPath, attack: slice, vm: vm.id, atSec: 2.5, out: join(dir, 'twice') });
    } catch (e) {
      err = e;
    }
    expect(isBadInput(err)).toBe(true);
    expect((err as Error).message).toMatch(/talk to the attack's peers during the attack window/);
    // Later, outside the first copy's window, the peer is known from before: knownPeer is true.
    const later = mixCommand({ benign: r.pcapPath, benignInventory: r.inventoryPath, attack: slice, vm: vm.id, atSec: 11, out: join(dir, 'later') });
    expect(later.label.knownPeer).toBe(true);
  });

  it('refuses an unknown VM with the inventory named', () => {
    expect(() => mixCommand({ benign: benign.pcapPath, benignInventory: benign.inventoryPath, attack: slice, vm: 'vm-nope', out: join(dir, 'x') }))
      .toThrow(new RegExp(`${benign.inventoryPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no VM 'vm-nope'`));
  });

  it('evaluates the mixed capture: report, charts, and the attack counted exactly', async () => {
    const out = join(dir, 'mixed');
    const ev = await evalCommand({ pcap: join(out, 'capture.pcap'), labels: join(out, 'labels.jsonl'), inventory: join(out, 'inventory.csv'), out: join(dir, 'eval'), quiet: true });
    expect(ev.report.packets).toBe(benign.packets + 200);
    expect(ev.report.attackPackets).toBe(200);
    expect(ev.report.attacks).toHaveLength(1);
    expect(ev.report.attacks[0].packets).toBe(200);
    expect(ev.report.auc).toBeGreaterThanOrEqual(0);
    expect(ev.report.auc).toBeLessThanOrEqual(1);
    const json = JSON.parse(readFileSync(ev.files.json, 'utf8'));
    expect(json.report.attackPackets).toBe(200);
    expect(existsSync(ev.files.scores!)).toBe(true);
    expect(readFileSync(ev.files.roc!, 'utf8')).toContain('<svg');
  }, 30000);
});
