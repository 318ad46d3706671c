/**
 * tcpdump's own counters, from the lines it writes to stderr on SIGUSR1 (one line) and at exit
 * (three lines): "N packets captured", "N packets received by filter", "N packets dropped by kernel".
 */
export interface CaptureCounters {
  captured: number;
  receivedByFilter: number;
  /** Packets the kernel dropped because tcpdump (or we, reading its pipe) could not keep up. */
  droppedByKernel: number;
  /** Some drivers also report drops at the interface. */
  droppedByInterface: number;
}

const PATTERNS: Array<[keyof CaptureCounters, RegExp]> = [
  ['captured', /(\d+) packets? captured/g],
  ['receivedByFilter', /(\d+) packets? received by filter/g],
  ['droppedByKernel', /(\d+) packets? dropped by kernel/g],
  ['droppedByInterface', /(\d+) packets? dropped by interface/g],
];

/**
 * Updates `into` with the latest value of each counter found in `text` (a chunk of stderr) and
 * returns true when one was found. tcpdump's counters are cumulative: the last one wins.
 */
export function parseCaptureCounters(text: string, into: CaptureCounters): boolean {
  let found = false;
  for (const [field, re] of PATTERNS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      into[field] = Number(m[1]);
      found = true;
    }
  }
  return found;
}

export function emptyCounters(): CaptureCounters {
  return { captured: 0, receivedByFilter: 0, droppedByKernel: 0, droppedByInterface: 0 };
}
