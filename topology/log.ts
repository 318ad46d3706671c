/**
 * Structured JSON logs (pino) for the runtime. `ctx.log` of every operator is a child logger
 * carrying topology, partition and operator, so a line can be traced to its task.
 */
import pino, { type Logger } from 'pino';
import type { OperatorLogger } from '../operators/contract';

export type RuntimeLogger = Logger;

export interface LoggerOptions {
  /** pino level; defaults to $PRESCIENT_LOG_LEVEL or 'info'. 'silent' turns logs off. */
  level?: string;
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  destination?: NodeJS.WritableStream | { write(line: string): void };
}

export function createLogger(options: LoggerOptions = {}): RuntimeLogger {
  const level = options.level ?? process.env.PRESCIENT_LOG_LEVEL ?? 'info';
  const dest = options.destination ?? pino.destination(2);
  return pino({ level, base: { app: 'prescient' }, timestamp: pino.stdTimeFunctions.isoTime }, dest as pino.DestinationStream);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): RuntimeLogger {
  return pino({ level: 'silent' });
}

/** Adapts a pino logger to the small `OperatorLogger` operators see. */
export function operatorLogger(base: RuntimeLogger): OperatorLogger {
  return {
    info: (msg, fields) => (fields ? base.info(fields, msg) : base.info(msg)),
    warn: (msg, fields) => (fields ? base.warn(fields, msg) : base.warn(msg)),
    error: (msg, fields) => (fields ? base.error(fields, msg) : base.error(msg)),
  };
}

/** Keeps every line in memory, for tests that check what was logged. */
export class MemoryLogDestination {
  readonly lines: Array<Record<string, unknown>> = [];

  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
}
