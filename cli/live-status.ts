/**
 * Live counters on a terminal (packets/s, anomalies, decisions, top VMs), redrawn in place on stderr.
 * Off when stderr is not a TTY, so logs and CI output stay clean.
 */
import type { RunSummary } from '../sinks/summary';

export class LiveStatus {
  private timer: NodeJS.Timeout | null = null;
  private lastPackets = 0;
  private lastAt = Date.now();
  private drawnLines = 0;

  constructor(private readonly read: (top: number) => RunSummary, private readonly enabled = Boolean(process.stderr.isTTY)) {}

  start(intervalMs = 500): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.draw(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.enabled) this.clear();
  }

  private draw(): void {
    const s = this.read(3);
    const now = Date.now();
    const rate = ((s.packets - this.lastPackets) * 1000) / Math.max(1, now - this.lastAt);
    this.lastPackets = s.packets;
    this.lastAt = now;
    const lines = [
      `packets ${s.packets.toLocaleString('en-US')}  ${Math.round(rate).toLocaleString('en-US')}/s  VMs ${s.vms}  anomalies ${s.anomalies}  decisions ${s.decisions}`,
      `top: ${s.topVms.map((v) => `${v.vmId} (${v.maxScore.toFixed(1)})`).join('  ') || '-'}`,
    ];
    this.clear();
    process.stderr.write(lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }

  private clear(): void {
    for (let i = 0; i < this.drawnLines; i++) process.stderr.write('\x1b[1A\x1b[2K');
    this.drawnLines = 0;
  }
}
