/** Capture files: reading classic pcap / pcapng frames, and writing classic pcap. */
export { CaptureFormatError } from './capture-format-error';
export { CaptureFileReader, type CaptureFormat, type CaptureReaderOptions } from './capture-file-reader';
export { readCaptureFile, readCaptureBuffer, type CaptureReadResult } from './read-capture-file';
export { RawFrame } from './raw-frame';
export { LinkType } from './link-type';
export { PcapWriter } from './pcap-writer';
export { PcapStreamReader } from './pcap-stream-reader';
