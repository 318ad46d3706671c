/** What every packet source (pcap file, live capture, synthetic generator, Kafka) gives the runtime. */
import type { PacketEvent } from '../schemas/types';

export interface SourceStats {
  /** Packets handed to the runtime. */
  packets: number;
  /** Frames read but not turned into a PacketEvent (non-IP, unmapped and dropped by policy), by reason. */
  skipped: Record<string, number>;
}

export interface PacketSource {
  /** For logs and the run summary, e.g. "pcap ../data/x.pcap". */
  readonly description: string;
  /** Packets in capture order, in batches (a batch is reused by nobody: the runtime may keep it). */
  batches(): AsyncIterable<PacketEvent[]>;
  stats(): SourceStats;
  close?(): Promise<void>;
}
