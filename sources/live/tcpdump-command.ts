/** tcpdump's command line for a live capture, and what its stderr means when it fails. */
import { LiveCaptureError } from './live-capture-error';

export interface TcpdumpArgsInput {
  iface: string;
  snaplen: number;
  bpf?: string;
}

/**
 * `-w - -U` streams pcap records as they arrive (not in 4 KiB blocks), `--immediate-mode` hands
 * packets over without waiting for the kernel buffer to fill, `-n` never resolves names.
 */
export function tcpdumpArgs(input: TcpdumpArgsInput): string[] {
  const args = ['-i', input.iface, '-w', '-', '-U', '--immediate-mode', '-n', '-s', String(input.snaplen)];
  const bpf = input.bpf?.trim();
  // One argument: tcpdump compiles it as the whole expression, no shell involved.
  if (bpf !== undefined && bpf !== '') args.push(bpf);
  return args;
}

/** The LiveCaptureError for tcpdump exiting with `stderr`, named as precisely as its message allows. */
export function classifyTcpdumpFailure(stderr: string, code: number | null, signal: string | null, iface: string, netns: string | null): LiveCaptureError {
  const text = stderr.trim();
  const where = netns === null ? '' : ` in network namespace '${netns}'`;
  const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
  const e = (p: ConstructorParameters<typeof LiveCaptureError>[0], m: string): LiveCaptureError => new LiveCaptureError(p, iface, netns, `${m} (tcpdump ${how}: ${text.split('\n').slice(-3).join(' | ')})`);
  if (/No such device|doesn't exist|no suitable device/i.test(text)) return e('interface-missing', `network interface '${iface}' does not exist${where}`);
  if (/permission|Operation not permitted/i.test(text)) {
    if (netns !== null && /setting the network namespace|setns/i.test(text)) return e('no-capability', `entering network namespace '${netns}' was refused: needs CAP_SYS_ADMIN`);
    return e('no-capability', `capturing on '${iface}'${where} was refused: needs CAP_NET_RAW`);
  }
  if (/Cannot open network namespace|netns/i.test(text) && netns !== null) return e('netns-missing', `network namespace '${netns}' could not be entered`);
  if (/syntax error|filter expression|can't parse filter/i.test(text)) return e('bad-filter', `the BPF filter was refused`);
  return e('capture-failed', `live capture on '${iface}'${where} failed`);
}
