/** Which failures are the user's input (exit 2, message only) and which are ours (exit 1, with stack). */
const BAD_INPUT_ERRORS = new Set([
  'TopologyError',
  'PlanError',
  'PolicyError',
  'InventoryParseError',
  'SyntheticConfigError',
  'SourceConfigError',
  'CaptureFormatError',
  'ModelError',
  'ModelMetadataError',
  'ModelLoadError',
  'TrainingDataError',
  'BadArgumentError',
  // Linux enforcers: a missing tool, capability, netns or interface, or a bad enforcer option.
  'EnforcerConfigError',
  'MissingToolError',
  'MissingCapabilityError',
  'NetnsNotFoundError',
  'InterfaceNotFoundError',
  'TcConflictError',
  'ForensicStoreError',
  'ForensicStoreCorruptError',
  'RegionError',
  // Kafka TLS/SASL settings that cannot work (sources/kafka/kafka-security.ts).
  'KafkaConfigError',
  'LiveCaptureError',
  'LabError',
]);

export class BadArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadArgumentError';
  }
}

export function isBadInput(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (BAD_INPUT_ERRORS.has(err.name) || BAD_INPUT_ERRORS.has(err.constructor.name)) return true;
  // A missing input file is bad input, not a crash.
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR';
}

/** A service (Kafka, Redis) that did not answer: exit 1 with the message (it names the service), no stack. */
const SERVICE_ERRORS = new Set(['KafkaConnectionError', 'KafkaOperationError', 'RedisUnavailableError']);

export function isServiceUnavailable(err: unknown): err is Error {
  return err instanceof Error && (SERVICE_ERRORS.has(err.name) || SERVICE_ERRORS.has(err.constructor.name));
}

/** Services that could not be reached at all (as opposed to refusing a request): exit 69. */
const UNREACHABLE_ERRORS = new Set(['KafkaConnectionError', 'RedisUnavailableError']);

export function isServiceUnreachable(err: unknown): err is Error {
  return err instanceof Error && (UNREACHABLE_ERRORS.has(err.name) || UNREACHABLE_ERRORS.has(err.constructor.name));
}
