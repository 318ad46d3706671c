/** Why a live capture could not start or stopped: names the interface, namespace, tool or capability. */
export type LiveCaptureProblem =
  | 'tool-missing'
  | 'netns-missing'
  | 'interface-missing'
  | 'no-capability'
  | 'bad-filter'
  | 'capture-failed';

export class LiveCaptureError extends Error {
  override readonly name = 'LiveCaptureError';

  constructor(
    readonly problem: LiveCaptureProblem,
    /** The interface asked for. */
    readonly iface: string,
    /** The network namespace, or null for the current one. */
    readonly netns: string | null,
    message: string,
  ) {
    super(message);
  }
}
