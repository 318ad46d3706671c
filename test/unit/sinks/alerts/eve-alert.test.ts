/** The EVE-JSON mapping of an anomaly (see sinks/alerts/README.md). */
import { eveTimestamp, flowId, toEveAlert } from '../../../../sinks/alerts';
import { forensic, T0 } from '../forensic-store/make-record';

describe('EVE alert mapping', () => {
  it('maps the packet, the signature of the driving feature, severity and action', () => {
    const rec = forensic(T0 + 123_456, 'vm-9', { score: 70, threshold: 10, action: 'DROP', top: 'entropy' });
    const e = toEveAlert(rec, 'vm/vm-9/1');
    expect(e).toMatchObject({
      timestamp: '2026-01-01T00:00:00.123456+0000',
      event_type: 'alert',
      in_iface: 'vm-9',
      src_ip: '10.0.0.5', src_port: 40000, dest_ip: '10.0.0.9', dest_port: 443, proto: 'TCP',
      alert: { action: 'blocked', signature_id: 9100003, severity: 1, category: 'Network Traffic Anomaly' },
      vm: { id: 'vm-9', account_id: 'acct-a', direction: 'EGRESS' },
      prescient: { anomaly_id: rec.anomaly.id, incident_id: 'vm/vm-9/1', action: 'DROP', severity: 'critical' },
    });
  });

  it('a dry run or a milder action is allowed; a low ratio with no decision is severity 3', () => {
    const dry = forensic(T0, 'vm-1', { action: 'ISOLATE' });
    dry.decision!.dryRun = true;
    expect(toEveAlert(dry).alert.action).toBe('allowed');
    expect(toEveAlert(forensic(T0, 'vm-1', { action: 'RATE_LIMIT', score: 11 })).alert).toMatchObject({ action: 'allowed', severity: 2 });
    expect(toEveAlert(forensic(T0, 'vm-1', { score: 11 })).alert).toMatchObject({ action: 'allowed', severity: 3 });
  });

  it('gives both directions of a flow the same safe-integer flow id, and other flows another', () => {
    const a = flowId('10.0.0.5', 40000, '10.0.0.9', 443, 6);
    expect(flowId('10.0.0.9', 443, '10.0.0.5', 40000, 6)).toBe(a);
    expect(flowId('10.0.0.5', 40001, '10.0.0.9', 443, 6)).not.toBe(a);
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(eveTimestamp(T0 + 5)).toBe('2026-01-01T00:00:00.000005+0000');
  });
});
