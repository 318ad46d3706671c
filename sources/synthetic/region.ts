/**
 * The modelled cloud region: accounts, vnets, VMs with profiles, and the fixed external peers they
 * talk to. Built once per run from its own PRNG stream, so it depends only on the seed and config.
 */
import type { SyntheticConfig } from './config';
import { Endpoint, macForIp } from './endpoint';
import { PortAllocator } from './port-allocator';
import { mixSeed, Prng } from './prng';
import type { Profile, VmInfo, VmPeers } from './vm-info';

/** Profile by position in a vnet: every vnet of five or more VMs holds all five profiles. */
const PROFILE_PATTERN: readonly Profile[] = ['web', 'database', 'dns', 'backup', 'idle', 'web', 'web', 'database', 'idle', 'backup'];
const ID_PREFIX: Record<Profile, string> = { web: 'web', database: 'db', dns: 'dns', backup: 'backup', idle: 'idle' };
const NO_MAC = Buffer.alloc(6);
/** Azure's platform resolver address: where a VM's DNS goes when its vnet has no DNS VM. */
// `>>> 0`: 168 << 24 overflows int32; the address must stay an unsigned 32-bit number.
const PLATFORM_RESOLVER = ((168 << 24) | (63 << 16) | (129 << 8) | 16) >>> 0;
const INTRA_VNET_RTT_US = 250;

export interface Region {
  vms: VmInfo[];
  externals: ExternalAllocator;
  /** Account ids in order (acct-a, acct-b, ...). */
  accountIds: string[];
}

/** Hands out unique public addresses, so an attack's "new" peer is never one normal traffic uses. */
export class ExternalAllocator {
  private readonly used = new Set<number>();

  constructor(private readonly prng: Prng) {}

  reserve(ipNum: number): void {
    this.used.add(ipNum >>> 0);
  }

  next(rttLoUs: number, rttHiUs: number): Endpoint {
    for (;;) {
      const ip = this.prng.u32();
      if (!isPublicUnicast(ip) || this.used.has(ip)) continue;
      this.used.add(ip);
      return new Endpoint(ip, NO_MAC, null, Math.round(this.prng.uniform(rttLoUs, rttHiUs)));
    }
  }
}

function isPublicUnicast(ip: number): boolean {
  const a = ip >>> 24;
  const b = (ip >>> 16) & 0xff;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b < 128) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b < 32) return false;
  if (a === 192 && b === 168) return false;
  return (ip & 0xff) !== 0 && (ip & 0xff) !== 255;
}

export function accountId(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `acct-${s}`;
}

export function buildRegion(config: SyntheticConfig): Region {
  const prng = new Prng(mixSeed(config.seed, 0x5e610));
  const externals = new ExternalAllocator(prng);
  externals.reserve(PLATFORM_RESOLVER);
  const platformResolver = new Endpoint(PLATFORM_RESOLVER, NO_MAC, null, 300);
  const clientPool = Array.from({ length: 400 }, () => externals.next(8_000, 150_000));
  const apis = Array.from({ length: 8 }, () => externals.next(4_000, 40_000));
  const storage = Array.from({ length: 4 }, () => externals.next(800, 3_000));
  const publicDns = Array.from({ length: 2 }, () => externals.next(4_000, 20_000));
  const ntp = Array.from({ length: 2 }, () => externals.next(2_000, 30_000));
  const management = externals.next(500, 1_500);
  const monitor = externals.next(500, 1_500);

  const nv = config.accounts * config.vnetsPerAccount;
  const counters: Record<Profile, number> = { web: 0, database: 0, dns: 0, backup: 0, idle: 0 };
  const vms: VmInfo[] = [];
  for (let i = 0; i < config.vmCount; i++) {
    const vnetGlobal = i % nv;
    const pos = Math.floor(i / nv);
    const accountIndex = Math.floor(vnetGlobal / config.vnetsPerAccount);
    const vnetIndex = vnetGlobal % config.vnetsPerAccount;
    const profile = PROFILE_PATTERN[pos % PROFILE_PATTERN.length];
    const ipNum = ((10 << 24) | (accountIndex << 16) | (vnetIndex << 8) | (4 + pos)) >>> 0;
    const vm: VmInfo = {
      index: i,
      id: `vm-${ID_PREFIX[profile]}-${++counters[profile]}`,
      accountId: accountId(accountIndex),
      vnetId: `vnet-${vnetGlobal + 1}`,
      accountIndex,
      vnetIndex,
      vnetGlobal,
      profile,
      endpoint: null as unknown as Endpoint,
      gatewayMac: macForIp((ipNum & 0xffffff00) | 1),
      ports: new PortAllocator(prng.u32()),
      peers: null as unknown as VmPeers,
    };
    (vm as { endpoint: Endpoint }).endpoint = new Endpoint(ipNum, macForIp(ipNum), vm, INTRA_VNET_RTT_US);
    vms.push(vm);
  }

  for (const vm of vms) {
    const sameVnet = vms.filter((v) => v.vnetGlobal === vm.vnetGlobal && v !== vm);
    const dnsVm = sameVnet.find((v) => v.profile === 'dns');
    const dbVm = sameVnet.find((v) => v.profile === 'database');
    const clients: Endpoint[] = [];
    const nClients = vm.profile === 'web' ? 24 : vm.profile === 'dns' ? 16 : 0;
    while (clients.length < nClients) {
      const c = clientPool[prng.skewed(clientPool.length)];
      if (!clients.includes(c)) clients.push(c);
    }
    let usual = management;
    if (vm.profile === 'web') usual = apis[prng.int(apis.length)];
    else if (vm.profile === 'database' || vm.profile === 'backup') usual = storage[prng.int(storage.length)];
    vm.peers = {
      clients,
      usual,
      usualPort: 443,
      resolver: dnsVm ? dnsVm.endpoint : platformResolver,
      upstreamDns: publicDns[prng.int(publicDns.length)],
      ntp: ntp[prng.int(ntp.length)],
      management,
      database: dbVm ? dbVm.endpoint : null,
      monitor,
    };
  }
  return { vms, externals, accountIds: Array.from({ length: config.accounts }, (_, i) => accountId(i)) };
}
