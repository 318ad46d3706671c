/** Packet sources and what they share: capture reading, frame decoding, VM inventories. */
export type { PacketSource, SourceStats } from './source';
export { PcapSource, type PcapSourceOptions, type PcapSourceStats } from './pcap-source';
export {
  decodeFrameToPacketEvent, FrameDecodeContext, DEFAULT_PAYLOAD_SAMPLE_BYTES,
  type FrameDecodeOptions, type FrameInput, type SkippedFrame, type UnknownPolicy,
} from './packet-event-decoder';
export * from './pcap';
export * from './decode';
export * from './inventory';
export * from './net';
export * from './synthetic';
export * from './kafka';
export * from './live';
