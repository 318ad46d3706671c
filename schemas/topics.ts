/**
 * Which record each topic carries. `predictions` carries the small Prediction record (predicted
 * vs measured features of sampled packets) rather than a full Anomaly: it is a model-quality
 * stream, sampled at high rate, so it stays small.
 */
import { CodecOptions, RecordCodec } from './codec';
import { defaultSchemaSet, RecordName, SchemaSet } from './schema-set';
import type { Anomaly, DeadLetter, ForensicRecord, MitigationDecision, PacketEvent, Prediction } from './types';

export interface TopicRecords {
  packets: PacketEvent;
  anomalies: Anomaly;
  mitigations: MitigationDecision;
  forensics: ForensicRecord;
  predictions: Prediction;
  'dead-letters': DeadLetter;
}

export type TopicName = keyof TopicRecords;

export const topicSchemas: { readonly [K in TopicName]: RecordName } = {
  packets: 'PacketEvent',
  anomalies: 'Anomaly',
  mitigations: 'MitigationDecision',
  forensics: 'ForensicRecord',
  predictions: 'Prediction',
  'dead-letters': 'DeadLetter',
};

export function isTopicName(name: string): name is TopicName {
  return Object.prototype.hasOwnProperty.call(topicSchemas, name);
}

/** A codec for `topic`'s record; make one per task and reuse it (it owns a scratch buffer). */
export function createTopicCodec<K extends TopicName>(
  topic: K,
  opts: CodecOptions & { schemas?: SchemaSet } = {},
): RecordCodec<TopicRecords[K]> {
  return new RecordCodec<TopicRecords[K]>(topic, topicSchemas[topic], opts.schemas ?? defaultSchemaSet(), opts);
}
