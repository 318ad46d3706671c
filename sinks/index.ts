export type { StreamSink } from './stream-sink';
export { JsonLinesSink, toJsonLine, type JsonLinesSinkOptions } from './json-lines';
export { SummarySink, formatSummary, type RunSummary, type VmSummary } from './summary';
export { FanOutSink } from './fan-out';
export * from './kafka';
export * from './forensic-store';
export * from './alerts';
