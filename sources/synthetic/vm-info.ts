/** A VM of the synthetic region, with the fixed peers its profile talks to. */
import type { Endpoint } from './endpoint';
import type { PortAllocator } from './port-allocator';

export const PROFILES = ['web', 'database', 'dns', 'backup', 'idle'] as const;
export type Profile = (typeof PROFILES)[number];

export interface VmPeers {
  /** External clients that connect in (web: browsers; dns: on-prem clients); they repeat. */
  clients: Endpoint[];
  /** The peer this VM normally sends to, and on which port: what the known-peer attacks hide behind. */
  usual: Endpoint;
  usualPort: number;
  /** DNS resolver: the vnet's DNS VM when there is one, else the platform resolver. */
  resolver: Endpoint;
  /** For the dns profile: the upstream resolver it forwards misses to. */
  upstreamDns: Endpoint;
  ntp: Endpoint;
  /** Cloud agent endpoint every VM keeps a heartbeat connection to. */
  management: Endpoint;
  /** Database VM in the same vnet that a web VM queries, if any. */
  database: Endpoint | null;
  /** Monitoring host that pings the VM. */
  monitor: Endpoint;
}

export interface VmInfo {
  index: number;
  id: string;
  accountId: string;
  vnetId: string;
  accountIndex: number;
  /** Vnet index within the account (the third octet of its addresses). */
  vnetIndex: number;
  /** Global vnet index (vnetId is `vnet-<n+1>`). */
  vnetGlobal: number;
  profile: Profile;
  endpoint: Endpoint;
  /** MAC of the vnet's gateway (.1): the next hop for traffic to anything outside the vnet. */
  gatewayMac: Buffer;
  ports: PortAllocator;
  peers: VmPeers;
}
