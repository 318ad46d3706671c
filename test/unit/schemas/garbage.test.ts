/**
 * Garbage in, DecodeError out: no other exception and no hang, whatever the bytes. Covers random
 * bytes, valid headers with random bodies, and mutations of valid records.
 */
import fc from 'fast-check';
import { DecodeError } from '../../../schemas/errors';
import { InMemorySchemaIdLookup } from '../../../schemas/schema-id-lookup';
import { loadSchemaSet } from '../../../schemas/schema-set';
import { createTopicCodec, topicSchemas, TopicName } from '../../../schemas/topics';
import { anomaly, baselineSnapshot, forensicRecord, mitigationDecision, packetEvent, prediction, deadLetter } from './sample-records';

const schemas = loadSchemaSet();
const lookup = new InMemorySchemaIdLookup();
const topics = Object.keys(topicSchemas) as TopicName[];
const samples: Record<TopicName, unknown> = {
  packets: packetEvent,
  anomalies: anomaly,
  mitigations: mitigationDecision,
  forensics: forensicRecord,
  predictions: prediction,
  'dead-letters': deadLetter,
};
for (const t of topics) lookup.register(`${t}-value`, schemas.current[topicSchemas[t]], topics.indexOf(t) + 1);

const codecs = topics.flatMap((t) => [
  createTopicCodec(t, { schemas }),
  createTopicCodec(t, { schemas, framing: 'confluent', idLookup: lookup }),
]);

/** Decodes and says what happened; any exception other than DecodeError fails the property. */
function outcome(codec: (typeof codecs)[number], bytes: Buffer): string {
  try {
    codec.decode(bytes);
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return e.reason;
    throw e;
  }
}

const valid = codecs.map((c) => c.encode(samples[c.topic as TopicName] as never));

describe('decoding garbage', () => {
  it('random bytes give DecodeError or a value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: codecs.length - 1 }), fc.uint8Array({ maxLength: 200 }), (i, bytes) => {
        outcome(codecs[i], Buffer.from(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid header with a random body gives DecodeError or a value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: codecs.length - 1 }), fc.uint8Array({ maxLength: 300 }), (i, body) => {
        const header = valid[i].subarray(0, codecs[i].framing === 'confluent' ? 5 : 10);
        outcome(codecs[i], Buffer.concat([header, Buffer.from(body)]));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated and truncated valid records give DecodeError or a value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: codecs.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (i, edits, cut) => {
          const bytes = Buffer.from(valid[i]);
          for (const [at, b] of edits) bytes[at % bytes.length] = b;
          outcome(codecs[i], bytes.subarray(0, bytes.length - (cut % 8)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a block count of 2^47 items is refused at once, not looped over', () => {
    // BaselineSnapshot's protocolMix map and ForensicRecord's array are the collections we carry.
    const big = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]); // varint 2^48, zigzag: a count of 2^47
    const forensic = createTopicCodec('forensics', { schemas });
    const good = forensic.encode({ ...forensicRecord, reconstructed: [], decision: null, incidentId: null });
    // reconstructed is right after the anomaly; its empty array is one 0x00 byte followed by two null unions (0x00 0x00).
    const bodyEnd = good.length - 3;
    const crafted = Buffer.concat([good.subarray(0, bodyEnd), big, Buffer.alloc(8)]);
    const started = Date.now();
    expect(outcome(forensic, crafted)).toBe('truncated');
    const mixCodec = createTopicCodec('anomalies', { schemas });
    const a = mixCodec.encode({ ...anomaly, baseline: { ...baselineSnapshot, protocolMix: {} } });
    // protocolMix (empty: 0x00) is followed by distinctPeers, distinctPorts, then modelVersion.
    const mixAt = a.indexOf(Buffer.from([0x00, 0x18, 0x08]));
    expect(mixAt).toBeGreaterThan(10);
    const craftedMix = Buffer.concat([a.subarray(0, mixAt), big, Buffer.alloc(4)]);
    expect(outcome(mixCodec, craftedMix)).toBe('truncated');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
