/** The validated topology: what the file and the builder both produce, and the planner consumes. */

export type SourceKind = 'synthetic' | 'pcap' | 'kafka' | 'live';

/** The source section; fields beyond `kind` belong to that kind's source (sources/). */
export interface SourceSpec {
  kind: SourceKind;
  [field: string]: unknown;
}

export interface OperatorSpec {
  /** As written: a registered name or a module path (`./ops/x.js`, `./ops/x.js#name`). */
  use: string;
  /** The operator definition's name. */
  name: string;
  /** Absolute module path when `use` is a path (resolved against the topology file). */
  modulePath?: string;
  /** The entry less `use`, as parsed by the operator's configSchema (defaults applied). */
  config: unknown;
}

/** A named output stream and where it goes. `kind: 'default'` lets the CLI pick (from a bare name). */
export interface SinkSpec {
  stream: string;
  kind: string;
  [field: string]: unknown;
}

export interface StateSpec {
  backend: 'memory' | 'redis';
  url?: string;
  checkpointEveryUs: number;
}

export interface RuntimeSpec {
  /** Records a task's mailbox holds before its partition is paused. */
  mailboxCapacity: number;
  /** Records a task takes from its mailbox per loop turn (one pass through the chain). */
  chunkSize: number;
  maxOutOfOrdernessUs: number;
  /** Reserved for live sources: a partition silent this long stops holding the watermark back. */
  idleTimeoutUs?: number;
}

export interface ValidatedTopology {
  name: string;
  source: SourceSpec;
  partitions: number;
  operators: OperatorSpec[];
  sinks: SinkSpec[];
  state: StateSpec;
  runtime: RuntimeSpec;
}
