/**
 * A PacketSource over a live interface. tcpdump runs as a subprocess (`tcpdump -i IF -w - -U
 * --immediate-mode [BPF]`, inside `ip netns exec NS` when given) and its pcap stream is parsed by
 * PcapStreamReader. Why tcpdump and not a libpcap binding or AF_PACKET: no native module can be
 * built or downloaded here, Node has no raw sockets, and tcpdump brings libpcap's BPF compiler,
 * its ring buffer and its kernel-drop counters (SIGUSR1) with it; the pipe costs one copy.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { PacketEvent } from '../../schemas/types';
import { loadInventoryFile } from '../inventory/parse-inventory';
import type { VmResolver } from '../inventory/vm-ref';
import { decodeFrameToPacketEvent, FrameDecodeContext, DEFAULT_PAYLOAD_SAMPLE_BYTES, type SkippedFrame, type UnknownPolicy } from '../packet-event-decoder';
import type { CaptureFormatError } from '../pcap/capture-format-error';
import { PcapStreamReader } from '../pcap/pcap-stream-reader';
import type { PacketSource, SourceStats } from '../source';
import { preflightLiveCapture } from './capture-preflight';
import { LiveCaptureError } from './live-capture-error';
import { emptyCounters, parseCaptureCounters, type CaptureCounters } from './tcpdump-stats';
import { classifyTcpdumpFailure, tcpdumpArgs } from './tcpdump-command';

export interface LiveCaptureOptions {
  iface: string;
  /** Network namespace (`ip netns` name) the interface lives in; default: this process's. */
  netns?: string;
  /** BPF filter expression, e.g. "ip and not port 22". */
  bpf?: string;
  /** An inventory file path or a loaded inventory; default: each private address is a VM. */
  inventory?: string | VmResolver;
  payloadSampleBytes?: number;
  unknown?: UnknownPolicy;
  /** Bytes captured per packet (default: headers + the payload sample). */
  snaplen?: number;
  /** Most packets per batch (default 1024). */
  batchSize?: number;
  /** How often tcpdump is asked for its drop counters (SIGUSR1), ms (default 1000; 0: only at exit). */
  statsIntervalMs?: number;
  /** Stop by itself after this long, ms. */
  durationMs?: number;
  /** Stop by itself after this many packets. */
  maxPackets?: number;
  /** Stop on SIGINT / SIGTERM of this process and let the run finish (the CLI sets it). */
  stopOnSignal?: boolean;
  /** How long tcpdump may take to say it is listening, ms (default 10000). */
  startTimeoutMs?: number;
  /** tcpdump binary (default 'tcpdump' on PATH) and the PATH to look it up on (tests). */
  tcpdump?: string;
  pathEnv?: string;
  onSkip?: (s: SkippedFrame) => void;
  /** Called whenever tcpdump reports its counters. */
  onCounters?: (c: CaptureCounters) => void;
}

export interface LiveCaptureStats extends SourceStats {
  /** Frames read from tcpdump's stream (packets + skipped). */
  frames: number;
  /** tcpdump's counters as last reported: captured, received by filter, dropped by kernel. */
  kernel: CaptureCounters;
  /** Times the stream was paused because the runtime was behind (the kernel buffer then fills). */
  pauses: number;
  /** Set when the stream from tcpdump was corrupt or cut; the packets before it were delivered. */
  lastError: CaptureFormatError | null;
}

/** Packets held while the runtime is busy before reading from tcpdump pauses. */
const MAX_PENDING = 65536;

export class LiveCaptureSource implements PacketSource {
  readonly description: string;
  readonly iface: string;
  readonly netns: string | null;
  lastError: CaptureFormatError | null = null;
  private readonly ctx: FrameDecodeContext;
  private readonly batchSize: number;
  private readonly tcpdumpPath: string;
  private readonly args: string[];
  private readonly counters = emptyCounters();
  private child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private pending: PacketEvent[] = [];
  private packets = 0;
  private frames = 0;
  private pauses = 0;
  private paused = false;
  private ended = false;
  private stopping = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private exited: Promise<void> = Promise.resolve();

  /** Checks tool, capability, namespace and interface now: a LiveCaptureError names what is missing. */
  constructor(private readonly options: LiveCaptureOptions) {
    this.iface = options.iface;
    this.netns = options.netns ?? null;
    const pre = preflightLiveCapture({ iface: options.iface, netns: this.netns, tcpdump: options.tcpdump ?? 'tcpdump', pathEnv: options.pathEnv });
    const inv = typeof options.inventory === 'string' ? loadInventoryFile(options.inventory) : options.inventory;
    const sample = options.payloadSampleBytes ?? DEFAULT_PAYLOAD_SAMPLE_BYTES;
    this.ctx = new FrameDecodeContext({ inventory: inv, payloadSampleBytes: sample, unknown: options.unknown, onSkip: options.onSkip });
    this.batchSize = options.batchSize ?? 1024;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    // Link (up to 18) + IPv6 with extension headers or IPv4 options + TCP options, then the sample.
    const snaplen = options.snaplen ?? 160 + sample;
    const targs = tcpdumpArgs({ iface: options.iface, snaplen, bpf: options.bpf });
    if (this.netns === null) {
      this.tcpdumpPath = pre.tcpdumpPath;
      this.args = targs;
    } else {
      this.tcpdumpPath = pre.ipPath as string;
      this.args = ['netns', 'exec', this.netns, pre.tcpdumpPath, ...targs];
    }
    this.description = `live ${this.netns === null ? '' : `${this.netns}:`}${options.iface}${options.bpf ? ` [${options.bpf}]` : ''}`;
  }

  async *batches(): AsyncIterable<PacketEvent[]> {
    await this.start();
    const onSignal = (): void => this.stop();
    if (this.options.stopOnSignal) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    const timers: NodeJS.Timeout[] = [];
    const interval = this.options.statsIntervalMs ?? 1000;
    if (interval > 0) timers.push(setInterval(() => this.requestCounters(), interval));
    if (this.options.durationMs !== undefined) timers.push(setTimeout(() => this.stop(), this.options.durationMs));
    try {
      for (;;) {
        if (this.pending.length > 0) {
          let batch: PacketEvent[];
          if (this.pending.length <= this.batchSize) {
            batch = this.pending;
            this.pending = [];
          } else {
            batch = this.pending.splice(0, this.batchSize);
          }
          if (this.paused && this.pending.length < MAX_PENDING / 2) {
            this.paused = false;
            this.child?.stdout.resume();
          }
          yield batch;
          continue;
        }
        if (this.failure !== null) throw this.failure;
        if (this.ended) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      for (const t of timers) clearInterval(t);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      this.stop();
      await this.exited;
    }
  }

  /** Asks tcpdump to stop; it writes its final counters, the stream ends and `batches()` finishes. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const c = this.child;
    if (c !== null && c.exitCode === null && c.signalCode === null) c.kill('SIGINT');
  }

  stats(): LiveCaptureStats {
    return { packets: this.packets, skipped: { ...this.ctx.skipped }, frames: this.frames, kernel: { ...this.counters }, pauses: this.pauses, lastError: this.lastError };
  }

  async close(): Promise<void> {
    this.stop();
    await this.exited;
  }

  private requestCounters(): void {
    const c = this.child;
    // tcpdump prints its counters on SIGUSR1 (SIGINFO elsewhere); `ip netns exec` execs it, same pid.
    if (c !== null && c.exitCode === null && c.pid !== undefined && !this.stopping) c.kill('SIGUSR1');
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Spawns tcpdump and resolves once it says it is listening (or rejects with why it could not). */
  private start(): Promise<void> {
    const reader = new PcapStreamReader(`tcpdump ${this.description}`);
    const child = spawn(this.tcpdumpPath, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    let listening = false;
    const limit = this.options.maxPackets;
    this.exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

    child.stdout.on('data', (chunk: Buffer) => {
      if (limit !== undefined && this.packets >= limit) return;
      reader.push(chunk);
      for (let f = reader.next(); f !== null; f = reader.next()) {
        this.frames++;
        const ev = decodeFrameToPacketEvent(f, this.ctx);
        if (ev === null) continue;
        this.pending.push(ev);
        this.packets++;
        if (limit !== undefined && this.packets >= limit) {
          this.stop();
          break;
        }
      }
      if (reader.error !== null && this.lastError === null) {
        this.lastError = reader.error;
        this.stop();
      }
      if (!this.paused && this.pending.length >= MAX_PENDING) {
        // The runtime is behind: stop reading; tcpdump blocks and the kernel counts what it drops.
        this.paused = true;
        this.pauses++;
        child.stdout.pause();
      }
      if (this.pending.length > 0) this.notify();
    });

    return new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        if (listening) return;
        child.kill('SIGKILL');
        reject(new LiveCaptureError('capture-failed', this.iface, this.netns, `tcpdump did not start listening on '${this.iface}' within ${this.options.startTimeoutMs ?? 10000} ms: ${stderr.trim()}`));
      }, this.options.startTimeoutMs ?? 10000);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr = (stderr + text).slice(-8192);
        if (parseCaptureCounters(text, this.counters)) this.options.onCounters?.({ ...this.counters });
        if (!listening && /listening on /.test(stderr)) {
          listening = true;
          clearTimeout(timeout);
          resolve();
        }
      });
      child.once('error', (err) => {
        clearTimeout(timeout);
        const e = new LiveCaptureError('tool-missing', this.iface, this.netns, `could not run ${this.tcpdumpPath}: ${err.message}`);
        this.failure = e;
        reject(e);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timeout);
        reader.finish();
        if (reader.error !== null && this.lastError === null && !this.stopping) this.lastError = reader.error;
        const byUs = this.stopping && (signal === 'SIGINT' || code === 0);
        if (!listening || (!byUs && code !== 0)) {
          const e = classifyTcpdumpFailure(stderr, code, signal, this.iface, this.netns);
          if (!listening) reject(e);
          else this.failure = e;
        }
        this.ended = true;
        this.notify();
      });
    });
  }
}
