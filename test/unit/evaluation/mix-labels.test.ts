/** The optional `peerIps` of an attack label (written by `prescient mix`), as attackLabelOf reads it. */
import { attackLabelOf, labelsToJsonl, parseLabelsJsonl, type AttackLabel } from '../../../sources';
import type { PacketEvent } from '../../../schemas/types';

const base: AttackLabel = {
  id: 'mix-x', kind: 'port_scan', vmId: 'vm-1', accountId: 'a', vnetId: 'n', startUs: 100, endUs: 200,
  packets: 2, knownPeer: false, peerIp: '198.51.100.7', localPorts: [40000, 40010], peerIps: ['198.51.100.7'], capture: 'x.pcap',
};

function ev(p: Partial<PacketEvent>): PacketEvent {
  return {
    tsUs: 150, vmId: 'vm-1', accountId: 'a', vnetId: 'n', srcIp: '10.0.0.4', dstIp: '198.51.100.7', srcPort: 5555, dstPort: 80,
    protocol: 6, size: 60, tcpFlags: 2, direction: 'EGRESS', fragment: false, payloadLength: 0, payload: Buffer.alloc(0), ...p,
  };
}

describe('attack labels with peerIps', () => {
  it('match the VM\'s packets to or from a listed peer inside the window, whatever the ports', () => {
    expect(attackLabelOf([base], ev({}))).toBe(base); // egress to the peer, port outside localPorts
    expect(attackLabelOf([base], ev({ direction: 'INGRESS', srcIp: '198.51.100.7', dstIp: '10.0.0.4', protocol: 1, srcPort: 0, dstPort: 0 }))).toBe(base);
  });

  it('do not match another peer, another VM, or outside the window', () => {
    expect(attackLabelOf([base], ev({ dstIp: '198.51.100.8' }))).toBeUndefined();
    expect(attackLabelOf([base], ev({ vmId: 'vm-2' }))).toBeUndefined();
    expect(attackLabelOf([base], ev({ tsUs: 201 }))).toBeUndefined();
    // Ingress whose source is the VM's own side: the peer is the source, which is not listed.
    expect(attackLabelOf([base], ev({ direction: 'INGRESS' }))).toBeUndefined();
  });

  it('leave labels without peerIps matched by their ports, as before', () => {
    const { peerIps: _p, capture: _c, ...synthetic } = base;
    expect(attackLabelOf([synthetic], ev({}))).toBeUndefined(); // port 5555 not reserved
    expect(attackLabelOf([synthetic], ev({ srcPort: 40005, dstIp: '203.0.113.1' }))).toBe(synthetic);
  });

  it('survive labels.jsonl', () => {
    const back = parseLabelsJsonl(labelsToJsonl([base]));
    expect(back).toEqual([base]);
  });
});
