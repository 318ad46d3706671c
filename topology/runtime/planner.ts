/**
 * Planning: a validated topology becomes a plan - how many tasks, and the chain of operator
 * definitions and configs each task instantiates - plus how source packets become records.
 */
import { newPacketRecord } from '../../operators/packet-record';
import { defaultRegistry, type AnyOperatorDefinition, type OperatorRegistry } from '../../operators/registry';
import type { PacketEvent } from '../../schemas/types';
import type { RuntimeSpec, StateSpec, ValidatedTopology } from '../types';
import type { ChainLink } from './task';

/**
 * How a source packet enters the log: its key, the value the first operator gets, its event
 * time. A Kafka source plugs in its own (e.g. decoding Avro first).
 */
export interface IngestMapping<P = PacketEvent> {
  key(packet: P): string;
  value(packet: P): unknown;
  eventTimeUs(packet: P): number;
}

/** Key = vmId, value = a fresh PacketRecord, event time = capture timestamp. */
export const packetIngest: IngestMapping<PacketEvent> = {
  key: (p) => p.vmId,
  value: (p) => newPacketRecord(p),
  eventTimeUs: (p) => p.tsUs,
};

export interface TopologyPlan<P = PacketEvent> {
  topology: ValidatedTopology;
  name: string;
  partitions: number;
  chain: ChainLink[];
  runtime: RuntimeSpec;
  state: StateSpec;
  ingest: IngestMapping<P>;
}

export interface PlanOptions<P> {
  registry?: OperatorRegistry;
  ingest?: IngestMapping<P>;
}

export class PlanError extends Error {
  constructor(message: string, readonly operator?: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export function planTopology<P = PacketEvent>(topology: ValidatedTopology, options: PlanOptions<P> = {}): TopologyPlan<P> {
  const registry = options.registry ?? defaultRegistry();
  const seen = new Map<string, number>();
  const chain: ChainLink[] = topology.operators.map((op) => {
    let def: AnyOperatorDefinition | undefined;
    if (op.modulePath !== undefined) def = registry.fromPath(op.modulePath);
    else def = registry.get(op.name);
    if (def === undefined) throw new PlanError(`operator '${op.name}' is not registered (known: ${registry.names().join(', ')})`, op.name);
    const k = seen.get(def.name) ?? 0;
    seen.set(def.name, k + 1);
    // State names are scoped per operator; a second use of one operator in a chain gets its own scope.
    return { name: def.name, definition: def, config: op.config, stateNamespace: k === 0 ? `${def.name}/` : `${def.name}#${k}/` };
  });
  return {
    topology,
    name: topology.name,
    partitions: topology.partitions,
    chain,
    runtime: topology.runtime,
    state: topology.state,
    ingest: (options.ingest ?? packetIngest) as IngestMapping<P>,
  };
}
