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
