/** Who a packet belongs to, and the interface every inventory implements. */
import type { Direction } from '../../schemas/types';
import type { PacketAddresses } from '../net/packet-addresses';

export interface VmRef {
  readonly vmId: string;
  readonly accountId: string;
  readonly vnetId: string;
}

/** Reused output of `attribute`: the VM and which side of its vNIC the packet crossed. */
export class Attribution {
  vm: VmRef = UNMAPPED_VM;
  direction: Direction = 'UNKNOWN';
}

export interface VmResolver {
  /** For logs, e.g. "inventory vms.csv (12 entries)". */
  readonly description: string;
  /**
   * The packet belongs to its sender when the sender is a known VM (EGRESS), else to its
   * receiver (INGRESS). Fills `out` and returns true, or returns false when neither end is known.
   */
  attribute(pkt: PacketAddresses, out: Attribution): boolean;
}

/** The bucket for packets of no known VM under the 'bucket' fallback. */
export const UNMAPPED_VM: VmRef = Object.freeze({ vmId: 'unmapped', accountId: 'unmapped', vnetId: 'unmapped' });
