/** Picks the planner that plays an attack. */
import type { PayloadTable } from '../payload-table';
import type { Region } from '../region';
import type { Planner } from '../slot';
import type { AttackSetup } from './attack-setup';
import { C2BeaconPlanner } from './c2-beacon';
import { DnsTunnelMessages, DnsTunnelPlanner } from './dns-tunnel';
import { ExfiltrationPlanner } from './exfiltration';
import { ServiceFloodPlanner } from './service-flood';
import { LateralMovementPlanner } from './lateral-movement';
import { PortScanPlanner } from './port-scan';
import { SynFloodPlanner } from './syn-flood';

/** Builds what an attack needs once (its payloads), then a fresh planner per call. */
export class AttackPlannerFactory {
  private readonly tunnel: DnsTunnelMessages | null;

  constructor(
    private readonly a: AttackSetup,
    private readonly table: PayloadTable,
    private readonly region: Region,
  ) {
    this.tunnel = a.kind === 'dns_tunnel' || a.kind === 'dns_tunnel_known_peer' ? new DnsTunnelMessages(a, table) : null;
  }

  create(): Planner {
    const { a, table } = this;
    switch (a.kind) {
      case 'port_scan':
        return new PortScanPlanner(a);
      case 'syn_flood':
        return new SynFloodPlanner(a);
      case 'exfiltration':
      case 'exfil_known_peer':
        return new ExfiltrationPlanner(a, table);
      case 'c2_beacon':
      case 'c2_beacon_known_peer':
        return new C2BeaconPlanner(a, table);
      case 'lateral_movement':
        return new LateralMovementPlanner(a, this.region);
      case 'flood_known_peer':
        return new ServiceFloodPlanner(a, table);
      case 'dns_tunnel':
      case 'dns_tunnel_known_peer':
        return new DnsTunnelPlanner(a, table, this.tunnel as DnsTunnelMessages);
    }
  }
}
