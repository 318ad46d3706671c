/** Frame decoding: link layer to L4 fields, with skip reasons for what is not an IP packet. */
export { FrameDecoder } from './frame-decoder';
export { DecodedPacket } from './decoded-packet';
export { SkipReason } from './skip-reason';
