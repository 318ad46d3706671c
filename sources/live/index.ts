/** Live capture: packets from a network interface (optionally inside a network namespace) via tcpdump. */
export { LiveCaptureSource, type LiveCaptureOptions, type LiveCaptureStats } from './live-capture-source';
export { LiveCaptureError, type LiveCaptureProblem } from './live-capture-error';
export { preflightLiveCapture, findTool, effectiveCapabilities, hasCapability, CAP_NET_RAW, CAP_SYS_ADMIN } from './capture-preflight';
export { parseCaptureCounters, emptyCounters, type CaptureCounters } from './tcpdump-stats';
export { tcpdumpArgs, classifyTcpdumpFailure } from './tcpdump-command';
