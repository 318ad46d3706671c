/**
 * A PacketSource over one pcap / pcapng file. A truncated or corrupt file ends the stream after
 * the last good packet and sets `lastError`; the run goes on with what was read.
 */
import { accessSync, constants } from 'node:fs';
import type { PacketEvent } from '../schemas/types';
import { loadInventoryFile } from './inventory/parse-inventory';
import type { VmResolver } from './inventory/vm-ref';
import { decodeFrameToPacketEvent, FrameDecodeContext, type SkippedFrame, type UnknownPolicy } from './packet-event-decoder';
import type { CaptureFormatError } from './pcap/capture-format-error';
import { CaptureFileReader, type CaptureReaderOptions } from './pcap/capture-file-reader';
import type { PacketSource, SourceStats } from './source';

export interface PcapSourceOptions {
  path: string;
  /** An inventory file path or a loaded inventory; default: each private address is a VM. */
  inventory?: string | VmResolver;
  payloadSampleBytes?: number;
  unknown?: UnknownPolicy;
  /** Packets per batch (default 4096). */
  batchSize?: number;
  onSkip?: (s: SkippedFrame) => void;
  reader?: CaptureReaderOptions;
}

export interface PcapSourceStats extends SourceStats {
  /** Frames read from the file (packets + skipped). */
  frames: number;
  lastError: CaptureFormatError | null;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class PcapSource implements PacketSource {
  readonly description: string;
  /** Set when the file was cut short or corrupt; the packets before it were delivered. */
  lastError: CaptureFormatError | null = null;
  private readonly ctx: FrameDecodeContext;
  private readonly batchSize: number;
  private reader: CaptureFileReader | null = null;
  private packets = 0;
  private frames = 0;

  /**
   * Checks the capture is readable and loads the inventory file now, so a missing capture (fs
   * error) or a bad inventory (InventoryParseError) fails before anything starts.
   */
  constructor(private readonly options: PcapSourceOptions) {
    accessSync(options.path, constants.R_OK);
    const inv = typeof options.inventory === 'string' ? loadInventoryFile(options.inventory) : options.inventory;
    this.ctx = new FrameDecodeContext({
      inventory: inv,
      payloadSampleBytes: options.payloadSampleBytes,
      unknown: options.unknown,
      onSkip: options.onSkip,
    });
    this.batchSize = options.batchSize ?? 4096;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    this.description = `pcap ${options.path}`;
  }

  async *batches(): AsyncIterable<PacketEvent[]> {
    const reader = CaptureFileReader.open(this.options.path, this.options.reader);
    this.reader = reader;
    try {
      for (;;) {
        const batch: PacketEvent[] = [];
        let f = reader.next();
        while (f !== null) {
          this.frames++;
          const ev = decodeFrameToPacketEvent(f, this.ctx);
          if (ev !== null) batch.push(ev);
          if (batch.length === this.batchSize) break;
          f = reader.next();
        }
        this.packets += batch.length;
        if (batch.length > 0) yield batch;
        if (f === null) break;
        // Let timers and I/O run between batches of a large file.
        await yieldToEventLoop();
      }
      this.lastError = reader.error;
    } finally {
      reader.close();
      this.reader = null;
    }
  }

  stats(): PcapSourceStats {
    return { packets: this.packets, skipped: { ...this.ctx.skipped }, frames: this.frames, lastError: this.lastError };
  }

  async close(): Promise<void> {
    this.reader?.close();
  }
}
