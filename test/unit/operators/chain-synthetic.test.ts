/**
 * The five built-in operators chained on the synthetic region (sources/synthetic) with a port scan
 * and lateral movement injected: does the baseline-only chain (no model) find them and act on them,
 * without acting on benign VMs? Each operator runs in its own harness; records pass from one to the next.
 */
import { OperatorHarness } from '../../harness/operator-harness';
import { windowOperator } from '../../../operators/window';
import { entropyOperator } from '../../../operators/entropy';
import { baselineOperator } from '../../../operators/baseline';
import { scoreOperator } from '../../../operators/score';
import { mitigateOperator } from '../../../operators/mitigate';
import { newPacketRecord, type PacketRecord } from '../../../operators/packet-record';
import { SyntheticSource, attackLabelOf } from '../../../sources/synthetic';
import type { MitigationDecision } from '../../../schemas/types';
import { ACTION_RANK } from '../../../operators/policy';

const S = 1_000_000;

describe('window -> entropy -> baseline -> score -> mitigate on synthetic traffic', () => {
  it('finds and stops a port scan, and does not act past RATE_LIMIT on benign VMs', async () => {
    const src = new SyntheticSource({
      seed: 5,
      durationSec: 56,
      attacks: [
        { kind: 'port_scan', atSec: 48, durationSec: 8 },
        { kind: 'lateral_movement', atSec: 50, durationSec: 6 },
      ],
    });
    const chain = [
      await OperatorHarness.create(windowOperator, { size: '1s', slide: '250ms' }),
      await OperatorHarness.create(entropyOperator, {}),
      await OperatorHarness.create(baselineOperator, {}),
      await OperatorHarness.create(scoreOperator, {}),
      await OperatorHarness.create(mitigateOperator, { policy: 'policies/default.yaml' }),
    ] as Array<OperatorHarness<PacketRecord, PacketRecord>>;
    const labels = src.labels();
    const scan = labels.find((l) => l.kind === 'port_scan')!;
    let scanPackets = 0, scanFlagged = 0, benignScored = 0, benignFlagged = 0;
    for await (const batch of src.batches()) {
      for (const p of batch) {
        let r = newPacketRecord(p);
        for (const h of chain) r = h.process(p.vmId, r)[0];
        const label = attackLabelOf(labels, p);
        if (label === scan) {
          scanPackets++;
          if (r.score!.anomalous) scanFlagged++;
        } else if (label === undefined && !r.score!.warmingUp) {
          benignScored++;
          if (r.score!.anomalous) benignFlagged++;
        }
      }
    }
    expect(scanPackets).toBeGreaterThan(1000);
    expect(scanFlagged / scanPackets).toBeGreaterThan(0.9);
    expect(benignScored).toBeGreaterThan(30_000);
    expect(benignFlagged / benignScored).toBeLessThan(0.01);

    const decisions = chain[4].sideOutput('mitigations').map((e) => e.value as MitigationDecision);
    const onScan = decisions.filter((d) => d.vmId === scan.vmId && d.tsUs >= scan.startUs);
    const drop = onScan.find((d) => ACTION_RANK[d.action] >= ACTION_RANK.DROP);
    expect(drop).toBeDefined();
    expect(drop!.tsUs - scan.startUs).toBeLessThan(1 * S);
    const attacked = new Set(labels.map((l) => l.vmId));
    const benignActions = decisions.filter((d) => !attacked.has(d.vmId)).map((d) => ACTION_RANK[d.action]);
    expect(Math.max(...benignActions)).toBeLessThanOrEqual(ACTION_RANK.RATE_LIMIT);
    for (const h of chain) await h.close();
  });
});
