/** `prescient run --live` and `source: { kind: live }` reach the live source, and bad input is named. */
import { createSource, SourceConfigError } from '../../../cli/source-factory';
import { isBadInput } from '../../../cli/errors';
import { CAP_NET_RAW, effectiveCapabilities, findTool, hasCapability, LiveCaptureError, LiveCaptureSource } from '../../../sources/live';

// The live source checks for tcpdump and CAP_NET_RAW first: without them those are the errors.
const canCapture = findTool('tcpdump') !== null && hasCapability(effectiveCapabilities(), CAP_NET_RAW);
const itCapturing = canCapture ? it : it.skip;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('live source from the CLI and the topology', () => {
  itCapturing('builds a live source for --live (lo always exists) with its namespace-free description', () => {
    const s = createSource({ kind: 'synthetic' }, { live: 'lo', bpf: 'udp' }, '/');
    expect(s).toBeInstanceOf(LiveCaptureSource);
    expect(s.description).toBe('live lo [udp]');
  });

  itCapturing('reads interface and bpf from a `kind: live` source section', () => {
    const s = createSource({ kind: 'live', interface: 'lo', bpf: 'tcp' }, {}, '/');
    expect(s.description).toBe('live lo [tcp]');
  });

  it('names a missing interface setting, as bad input (exit 2)', () => {
    const noIface = thrown(() => createSource({ kind: 'live' }, {}, '/'));
    expect(noIface).toBeInstanceOf(SourceConfigError);
    expect(noIface.message).toMatch(/source\.interface: a live source needs `interface`/);
    expect(isBadInput(noIface)).toBe(true);
  });

  itCapturing('names a missing interface or namespace, as bad input', () => {
    const missing = thrown(() => createSource({ kind: 'synthetic' }, { live: 'plt-nosuch9' }, '/'));
    expect(missing).toBeInstanceOf(LiveCaptureError);
    expect(isBadInput(missing)).toBe(true);
    expect(missing.message).toBe("network interface 'plt-nosuch9' does not exist");
    expect(isBadInput(thrown(() => createSource({ kind: 'synthetic' }, { live: 'lo', netns: 'plt-nosuch-ns' }, '/')))).toBe(true);
  });
});
