/**
 * Topologies: the file format and its validation, the builder, the planner and the embedded
 * runtime (tasks as actors over an in-process partitioned log).
 */
export type { OperatorSpec, RuntimeSpec, SinkSpec, SourceKind, SourceSpec, StateSpec, ValidatedTopology } from './types';
export { TopologyError, formatPath, type TopologyIssue } from './topology-error';
export { topologySchema, sourceSchema, SOURCE_KINDS, type TopologyInput } from './topology-schema';
export { validateTopology, type ValidateOptions } from './validate';
export { parseTopology, loadTopologyFile, defaultTopologyPath } from './load';
export { topology, TopologyBuilder, type RuntimeInput, type StateInput } from './builder';
export { EmbeddedLog } from './embedded-log';
export { createLogger, silentLogger, operatorLogger, MemoryLogDestination, type LoggerOptions, type RuntimeLogger } from './log';
export { planTopology, packetIngest, PlanError, type IngestMapping, type PlanOptions, type TopologyPlan } from './runtime/planner';
export {
  runTopology,
  RunError,
  MAIN_OUTPUT_STREAM,
  type BatchSource,
  type OperatorRunStats,
  type PartitionStats,
  type RunOptions,
  type RunStats,
} from './runtime/run-topology';
export { Task, OperatorError, type ChainLink, type OperatorStats, type TaskOptions } from './runtime/task';
export { SystemClock, ManualClock, type Clock } from './runtime/clock';
export { InProcessBroadcastTables, type BroadcastTables, type RepartitionRouter, type SideOutputRouter } from './runtime/routing';
export { Mailbox, RecordQueue } from './runtime/record-queue';
export {
  KafkaWorker, KafkaRepartitionRouter, OffsetTracker, repartitionTopic,
  type KafkaWorkerOptions, type KafkaRepartitionOptions, type WorkerPartitionStats, type WorkerStats, type WorkerStateBackend,
} from './distributed';
