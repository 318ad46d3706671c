/** The lab's schedule is validated with its path, and its labels come out in the project's format. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LabError, labelsFromRuns, loadLabSchedule, parseLabSchedule, readLabVms, countLabelPackets } from '../../../lab';
import { attackLabelOf, parseLabelsJsonl, labelsToJsonl } from '../../../sources/synthetic/labels';
import { PcapWriter } from '../../../sources/pcap/pcap-writer';
import type { PacketEvent } from '../../../schemas/types';

const LAB = resolve(__dirname, '../../../deploy/lab');

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

function inventoryFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-lab-unit-'));
  const f = join(dir, 'inventory.csv');
  // The format lab.sh writes (write_inventory).
  writeFileSync(f, [
    'kind,value,vmId,accountId,vnetId',
    'mac,02:50:00:00:00:0a,lab-web,acct-lab,vnet-lab', 'ip,10.203.0.10,lab-web,acct-lab,vnet-lab',
    'mac,02:50:00:00:00:42,lab-atk,acct-lab,vnet-lab', 'ip,10.203.0.66,lab-atk,acct-lab,vnet-lab',
    'mac,02:50:00:00:00:c8,lab-drop,acct-lab,vnet-lab', 'ip,10.203.0.200,lab-drop,acct-lab,vnet-lab',
    'ip,10.203.0.30,lab-store,acct-lab,vnet-lab', 'ip,10.203.0.40,lab-idle,acct-lab,vnet-lab',
  ].join('\n') + '\n');
  return f;
}

describe('lab schedule', () => {
  it('accepts the shipped schedules', () => {
    const s = loadLabSchedule(join(LAB, 'schedules', 'default.json'));
    expect(s.attacks.map((a) => a.kind)).toEqual(['syn_flood', 'port_scan', 'exfiltration', 'c2_beacon']);
    expect(loadLabSchedule(join(LAB, 'schedules', 'benign.json')).attacks).toEqual([]);
  });

  it('names the path of a bad field and refuses an attack past the end', () => {
    expect(thrown(() => parseLabSchedule({ durationSec: 30, attacks: [{ kind: 'syn_flod', atSec: 1, durationSec: 2 }] }, 's.json')).message).toMatch(/^s\.json: attacks\.0\.kind: /);
    const late = thrown(() => parseLabSchedule({ durationSec: 30, attacks: [{ kind: 'syn_flood', atSec: 25, durationSec: 10 }] }, 's.json'));
    expect(late).toBeInstanceOf(LabError);
    expect(late.message).toBe("s.json: attacks.0: ends at 35s, after the lab's durationSec 30");
    expect(thrown(() => parseLabSchedule({ durationSec: 30, attacks: [{ kind: 'port_scan', atSec: 1, durationSec: 2, targets: ['10.0.0.1'] }] }, 's.json')).message).toMatch(/targets\.0: a lab VM name/);
  });
});

describe('lab labels', () => {
  it('writes one label per attack run, in the labels.jsonl format, with the targets as peers', () => {
    const vms = readLabVms(inventoryFile());
    const s = parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'syn_flood', atSec: 10, durationSec: 5 }, { kind: 'port_scan', atSec: 20, durationSec: 5 }] });
    const labels = labelsFromRuns([{ attack: s.attacks[0], startMs: 1_000_000, endMs: 1_005_000 }, { attack: s.attacks[1], startMs: 1_010_000, endMs: 1_015_000 }], vms);
    expect(labels[0]).toMatchObject({ id: 'lab-1-syn_flood', kind: 'syn_flood', vmId: 'lab-atk', accountId: 'acct-lab', startUs: 1_000_000_000, endUs: 1_006_000_000, peerIp: '10.203.0.10', peerIps: ['10.203.0.10'] });
    expect(labels[1].peerIps).toEqual(['10.203.0.10', '10.203.0.30', '10.203.0.40']);
    expect(labels[1].peerIp).toBeNull();
    expect(parseLabelsJsonl(labelsToJsonl(labels))).toEqual(labels);
    expect(thrown(() => labelsFromRuns([{ attack: { ...s.attacks[0], vm: 'nosuch' }, startMs: 0, endMs: 1 }], vms)).message).toMatch(/'nosuch' is not a lab VM/);
  });

  it('counts each label\'s packets from the capture: attacker to target inside the window only', async () => {
    const inv = inventoryFile();
    const vms = readLabVms(inv);
    const s = parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'syn_flood', atSec: 10, durationSec: 5 }] });
    const labels = labelsFromRuns([{ attack: s.attacks[0], startMs: 2_000, endMs: 3_000 }], vms);
    const pcap = join(mkdtempSync(join(tmpdir(), 'prescient-lab-unit-')), 'c.pcap');
    const w = new PcapWriter(pcap);
    const frame = (src: string, dst: string): Buffer => {
      const f = Buffer.alloc(14 + 20 + 20);
      f.writeUInt16BE(0x0800, 12);
      f[14] = 0x45; f.writeUInt16BE(40, 16); f[22] = 64; f[23] = 6;
      Buffer.from(src.split('.').map(Number)).copy(f, 26);
      Buffer.from(dst.split('.').map(Number)).copy(f, 30);
      f.writeUInt16BE(40000, 34); f.writeUInt16BE(8080, 36); f[46] = 0x50; f[47] = 0x02;
      return f;
    };
    // In the window to the target (3), before it (1), to another VM (1), after the tail (1).
    w.write(2_500_000, frame('10.203.0.66', '10.203.0.10'));
    w.write(2_600_000, frame('10.203.0.66', '10.203.0.10'));
    w.write(3_900_000, frame('10.203.0.66', '10.203.0.10'));
    w.write(1_500_000, frame('10.203.0.66', '10.203.0.10'));
    w.write(2_700_000, frame('10.203.0.66', '10.203.0.200'));
    w.write(4_500_000, frame('10.203.0.66', '10.203.0.10'));
    w.close();
    const total = await countLabelPackets(labels, pcap, inv);
    expect(total).toBe(6);
    expect(labels[0].packets).toBe(3);
    const ev = { vmId: 'lab-atk', tsUs: 2_500_000, direction: 'EGRESS', srcIp: '10.203.0.66', dstIp: '10.203.0.10', srcPort: 1, dstPort: 1 } as PacketEvent;
    expect(attackLabelOf(labels, ev)?.id).toBe('lab-1-syn_flood');
    expect(readFileSync(pcap).length).toBeGreaterThan(24);
  });
});
