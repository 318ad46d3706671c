/** Writes the actual packets of forensic records to a classic pcap (Ethernet) that Wireshark opens. */
import type { ForensicRecord } from '../../schemas/types';
import { PcapWriter } from '../../sources/pcap';
import { buildFrame } from './packet-frame';

/** Returns the packets written. Records are written in the order given (queries return them oldest first). */
export function exportPcap(records: Iterable<ForensicRecord>, file: string): number {
  const w = new PcapWriter(file);
  try {
    for (const r of records) {
      const f = buildFrame(r.anomaly.actual, r.anomaly.id);
      w.write(r.anomaly.actual.tsUs, f.frame, f.origLen);
    }
  } finally {
    w.close();
  }
  return w.packets;
}
