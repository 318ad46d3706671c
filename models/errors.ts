/**
 * Typed errors of the models folder. Each carries the context a person needs to fix the cause
 * (the model directory, the file, the feature names) without reading a stack trace.
 */

/** Base class so callers can catch anything the models folder throws on purpose. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model's metadata names other input features than this build computes. */
export class FeatureSpecMismatchError extends ModelError {
  constructor(
    readonly dir: string,
    readonly expected: { name: string; version: number; names: readonly string[] },
    readonly actual: { name: string; version: number; names: readonly string[] },
  ) {
    super(
      `model in ${dir} was trained on features ${actual.name} v${actual.version} but this build computes ` +
        `${expected.name} v${expected.version}: ${describeNameDiff(expected.names, actual.names)}`,
    );
  }
}

/** A weights file whose size is not what model.json's manifest says (truncated, corrupt, wrong file). */
export class CorruptWeightsError extends ModelError {
  constructor(readonly file: string, readonly expectedBytes: number, readonly actualBytes: number) {
    super(`weights file ${file} is ${actualBytes} bytes but model.json expects ${expectedBytes}: truncated or corrupt`);
  }
}

/** A model directory whose model.json or metadata.json is missing or not what we wrote. */
export class ModelFormatError extends ModelError {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** Training was asked to fit on nothing (no VM has a sequence long enough for one window). */
export class EmptyTrainingSetError extends ModelError {
  constructor(readonly sequences: number, readonly seqLen: number) {
    super(`empty training set: ${sequences} sequence(s), none has more than seqLen=${seqLen} packets`);
  }
}

/** The layers model has a shape or configuration the stateful step cannot reproduce. */
export class UnsupportedModelError extends ModelError {
  constructor(readonly reason: string) {
    super(`unsupported model: ${reason}`);
  }
}

/** A backend that was asked for by name could not be loaded. */
export class BackendUnavailableError extends ModelError {
  constructor(readonly backend: string, readonly reason: string) {
    super(`backend ${backend} is not available: ${reason}`);
  }
}

function describeNameDiff(expected: readonly string[], actual: readonly string[]): string {
  const missing = expected.filter((n) => !actual.includes(n));
  const extra = actual.filter((n) => !expected.includes(n));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing [${missing.join(', ')}]`);
  if (extra.length > 0) parts.push(`unexpected [${extra.join(', ')}]`);
  if (parts.length === 0) parts.push('same names in a different order or version');
  return parts.join(', ');
}
