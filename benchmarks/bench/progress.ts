/** Progress of a long bench on stderr: one line per second per step (a rewritten line on a TTY). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

export class BenchProgress {
  private last = 0;
  constructor(private readonly out: ProgressSink | null = process.stderr, private readonly everyMs = 1000) {}

  /** A line about the running step, at most once per `everyMs`. */
  tick(step: string, text: string, force = false): void {
    if (this.out === null) return;
    const now = Date.now();
    if (!force && now - this.last < this.everyMs) return;
    this.last = now;
    if (this.out.isTTY === true) this.out.write(`\r\x1b[2K[${step}] ${text}`);
    else this.out.write(`[${step}] ${text}\n`);
  }

  /** A finished step or a phase change. */
  line(text: string): void {
    if (this.out === null) return;
    this.out.write(`${this.out.isTTY === true ? '\r\x1b[2K' : ''}${text}\n`);
  }
}
