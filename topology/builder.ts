/**
 * The TypeScript form of a topology file. It builds the same plain object a YAML file holds and
 * validates it the same way, so a builder and a file that say the same thing are equal.
 *
 *   topology('eu-west-1').source({ kind: 'synthetic' }).operator('window', { size: '1s' })
 *     .sink('anomalies').build()
 */
import type { z } from 'zod';
import type { sinkEntrySchema, sourceSchema } from './topology-schema';
import type { ValidatedTopology } from './types';
import { validateTopology, type ValidateOptions } from './validate';

type SourceInput = z.input<typeof sourceSchema>;
type SinkInput = z.input<typeof sinkEntrySchema>;

export interface StateInput {
  backend?: 'memory' | 'redis';
  url?: string;
  checkpointEvery?: string | number;
}

export interface RuntimeInput {
  mailboxCapacity?: number;
  chunkSize?: number;
  maxOutOfOrderness?: string | number;
  idleTimeout?: string | number;
}

export class TopologyBuilder {
  private readonly doc: Record<string, unknown>;
  private readonly ops: Array<Record<string, unknown>> = [];
  private sinkList: SinkInput[] | undefined;

  constructor(name: string) {
    this.doc = { name };
  }

  source(source: SourceInput): this {
    this.doc.source = source;
    return this;
  }

  partitions(n: number): this {
    this.doc.partitions = n;
    return this;
  }

  /** `use` is an operator name or a module path; `config` is the entry less `use`, as in YAML. */
  operator(use: string, config: Record<string, unknown> = {}): this {
    this.ops.push({ use, ...config });
    return this;
  }

  sink(sink: SinkInput): this {
    (this.sinkList ??= []).push(sink);
    return this;
  }

  state(state: StateInput): this {
    this.doc.state = state;
    return this;
  }

  runtime(runtime: RuntimeInput): this {
    this.doc.runtime = runtime;
    return this;
  }

  /** The unvalidated object, as a YAML file would hold it. */
  toObject(): Record<string, unknown> {
    const o: Record<string, unknown> = { ...this.doc, operators: this.ops.map((x) => ({ ...x })) };
    if (this.sinkList !== undefined) o.sinks = [...this.sinkList];
    return o;
  }

  /** Validates like a file; errors name `<builder NAME>` as the file. */
  build(options: ValidateOptions = {}): ValidatedTopology {
    return validateTopology(this.toObject(), `<builder ${String(this.doc.name)}>`, options);
  }
}

export function topology(name: string): TopologyBuilder {
  return new TopologyBuilder(name);
}
