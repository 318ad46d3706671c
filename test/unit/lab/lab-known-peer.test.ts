/** Known-peer lab attacks: the schedule only allows them from a VM that already uses the peer, and their labels pick the attack's reserved ports, not the peer. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  KNOWN_PEER_PORTS,
  LAB_ATTACK_KINDS,
  LAB_BENIGN_PEERS,
  LAB_KNOWN_PEER_KINDS,
  LabError,
  countLabelPackets,
  labelsFromRuns,
  loadLabSchedule,
  parseLabSchedule,
  readLabVms,
} from '../../../lab';
import { ATTACK_KINDS } from '../../../sources/synthetic/config';
import { KNOWN_PEER_ATTACK_KINDS } from '../../../sources/synthetic/attacks/attack-setup';
import { attackLabelOf, labelsToJsonl, parseLabelsJsonl } from '../../../sources/synthetic/labels';
import { PcapWriter } from '../../../sources/pcap/pcap-writer';

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
  const f = join(mkdtempSync(join(tmpdir(), 'prescient-labpeer-unit-')), 'inventory.csv');
  // The format lab.sh writes (write_inventory), for the VMs lab-vms.sh names.
  const vms: [string, number][] = [['web', 10], ['dns', 11], ['c1', 21], ['c2', 22], ['store', 30], ['idle', 40], ['atk', 66], ['drop', 200]];
  const rows = vms.flatMap(([n, o]) => [
    `mac,02:50:00:00:00:${o.toString(16).padStart(2, '0')},lab-${n},acct-lab,vnet-lab`,
    `ip,10.203.0.${o},lab-${n},acct-lab,vnet-lab`,
  ]);
  writeFileSync(f, ['kind,value,vmId,accountId,vnetId', ...rows].join('\n') + '\n');
  return f;
}

/** An Ethernet + IPv4 + TCP SYN frame. */
function frame(src: string, dst: string, sport: number, dport: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 20);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45; f.writeUInt16BE(40, 16); f[22] = 64; f[23] = 6;
  Buffer.from(src.split('.').map(Number)).copy(f, 26);
  Buffer.from(dst.split('.').map(Number)).copy(f, 30);
  f.writeUInt16BE(sport, 34); f.writeUInt16BE(dport, 36); f[46] = 0x50; f[47] = 0x02;
  return f;
}

describe('known-peer lab schedule', () => {
  it('ships a known-peer schedule with all four kinds, named as the generator names them', () => {
    const s = loadLabSchedule(join(LAB, 'schedules', 'known-peer.json'));
    expect(s.attacks.map((a) => a.kind).sort()).toEqual([...KNOWN_PEER_ATTACK_KINDS].sort());
    expect([...LAB_KNOWN_PEER_KINDS].sort()).toEqual([...KNOWN_PEER_ATTACK_KINDS].sort());
    for (const k of LAB_ATTACK_KINDS) expect(ATTACK_KINDS).toContain(k);
  });

  it('refuses a known-peer attack from a VM that never talks to its target, naming the path', () => {
    const e = thrown(() => parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'exfil_known_peer', vm: 'atk', atSec: 10, durationSec: 5 }] }, 'k.json'));
    expect(e).toBeInstanceOf(LabError);
    expect(e.message).toMatch(/^k\.json: attacks\.0\.vm: 'atk' never talks to 'store'.*VMs that do: c2\)$/);
    // Same VM, the target it does use: fine. The novel-peer kind from `atk` stays allowed.
    expect(parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'exfil_known_peer', vm: 'c2', atSec: 10, durationSec: 5 }] }).attacks[0].vm).toBe('c2');
    expect(parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'exfiltration', vm: 'atk', atSec: 10, durationSec: 5 }] }).attacks).toHaveLength(1);
  });

  it('refuses a target other than the service the kind uses, and a run without benign traffic', () => {
    expect(thrown(() => parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'flood_known_peer', vm: 'c1', atSec: 1, durationSec: 5, targets: ['dns'] }] }, 'k.json')).message)
      .toMatch(/^k\.json: attacks\.0\.targets: flood_known_peer uses the lab's one service for it, on 'web'; got \[dns\]/);
    expect(thrown(() => parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'c2_beacon_known_peer', vm: 'c1', atSec: 1, durationSec: 5, targets: ['web', 'store'] }] })).message).toMatch(/got \[web, store\]/);
    expect(thrown(() => parseLabSchedule({ durationSec: 60, benign: false, attacks: [{ kind: 'dns_tunnel_known_peer', vm: 'atk', atSec: 1, durationSec: 5 }] })).message).toMatch(/needs benign traffic/);
  });
});

describe('lab.sh agrees with the schedule code', () => {
  const sh = readFileSync(join(LAB, 'lab.sh'), 'utf8');

  it('binds each known-peer attack to the reserved ports its label uses', () => {
    for (const k of LAB_KNOWN_PEER_KINDS) {
      const m = new RegExp(`\\n\\s*${k}\\)[^\\n]*\\n[^\\n]*?(\\d+) (\\d+) ;;`).exec(sh);
      expect(m).not.toBeNull();
      expect([Number(m![1]), Number(m![2])]).toEqual(KNOWN_PEER_PORTS[k]);
    }
    // Blocks do not overlap and stay below the kernel's ephemeral range (32768), where benign clients are.
    const blocks = Object.values(KNOWN_PEER_PORTS).sort((a, b) => a[0] - b[0]);
    blocks.forEach((b, i) => {
      expect(b[1]).toBeLessThan(32768);
      if (i > 0) expect(b[0]).toBeGreaterThan(blocks[i - 1][1]);
    });
  });

  it('starts exactly the benign clients LAB_BENIGN_PEERS lists', () => {
    const body = sh.slice(sh.indexOf('cmd_benign()'), sh.indexOf('cmd_attack()'));
    const seen = new Map<string, Set<string>>();
    for (const m of body.matchAll(/spawn_in (\w+) \S+ timeout "\$secs" bash "\$T\/[\w-]+\.sh" "\$(\w+)"/g)) {
      if (!seen.has(m[1])) seen.set(m[1], new Set());
      seen.get(m[1])!.add(m[2]);
    }
    expect(seen.size).toBeGreaterThan(0);
    expect(Object.fromEntries([...seen].map(([vm, s]) => [vm, [...s].sort()]))).toEqual(
      Object.fromEntries(Object.entries(LAB_BENIGN_PEERS).map(([vm, s]) => [vm, [...s].sort()])),
    );
  });
});

describe('known-peer lab labels', () => {
  it('are knownPeer with the reserved ports and no peerIps; novel-peer kinds keep their peers', () => {
    const vms = readLabVms(inventoryFile());
    const s = parseLabSchedule({ durationSec: 60, attacks: [
      { kind: 'exfil_known_peer', vm: 'c2', atSec: 10, durationSec: 5 },
      { kind: 'exfiltration', vm: 'atk', atSec: 20, durationSec: 5 },
    ] });
    const labels = labelsFromRuns([{ attack: s.attacks[0], startMs: 2_000, endMs: 3_000 }, { attack: s.attacks[1], startMs: 5_000, endMs: 6_000 }], vms);
    expect(labels[0]).toMatchObject({ id: 'lab-1-exfil_known_peer', kind: 'exfil_known_peer', vmId: 'lab-c2', knownPeer: true, peerIp: '10.203.0.30', localPorts: [21000, 21999] });
    expect(labels[0].peerIps).toBeUndefined();
    expect(labels[1]).toMatchObject({ knownPeer: false, peerIps: ['10.203.0.200'] });
    expect(parseLabelsJsonl(labelsToJsonl(labels))).toEqual(labels);
  });

  it('count only the attack\'s packets, not the VM\'s benign traffic to the same peer in the same window', async () => {
    const inv = inventoryFile();
    const s = parseLabSchedule({ durationSec: 60, attacks: [{ kind: 'exfil_known_peer', vm: 'c2', atSec: 10, durationSec: 5 }] });
    const labels = labelsFromRuns([{ attack: s.attacks[0], startMs: 2_000, endMs: 3_000 }], readLabVms(inv));
    const pcap = join(mkdtempSync(join(tmpdir(), 'prescient-labpeer-unit-')), 'c.pcap');
    const w = new PcapWriter(pcap);
    const c2 = '10.203.0.22', store = '10.203.0.30';
    w.write(2_100_000, frame(c2, store, 21000, 9000)); // attack
    w.write(2_200_000, frame(c2, store, 21001, 9000)); // attack
    w.write(3_500_000, frame(c2, store, 21999, 9000)); // attack, in the 1 s tail
    w.write(2_300_000, frame(c2, store, 40123, 9000)); // benign bulk copy: same peer, ephemeral port
    w.write(1_900_000, frame(c2, store, 21002, 9000)); // before the window
    w.write(2_400_000, frame('10.203.0.21', store, 21003, 9000)); // another VM
    w.write(2_500_000, frame(store, c2, 9000, 21000)); // the server's reply: the server's own egress
    w.close();
    expect(await countLabelPackets(labels, pcap, inv)).toBe(7);
    expect(labels[0].packets).toBe(3);
  });
});
