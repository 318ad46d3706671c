/** Framing round trips (single-object and Confluent), old writer versions, and typed failures. */
import * as path from 'path';
import { Type } from 'avsc';
import { RecordCodec } from '../../../schemas/codec';
import { deadLetterOf } from '../../../schemas/dead-letter';
import { DecodeError, EncodeError, SchemaLoadError, SchemaNotRegisteredError } from '../../../schemas/errors';
import { canonicalForm, rabinFingerprint } from '../../../schemas/rabin-fingerprint';
import { locateSchemaDir } from '../../../schemas/schema-dir';
import { InMemorySchemaIdLookup } from '../../../schemas/schema-id-lookup';
import { loadSchemaSet, parseOptions } from '../../../schemas/schema-set';
import { createTopicCodec, TopicName, TopicRecords } from '../../../schemas/topics';
import { anomaly, deadLetter, forensicRecord, mitigationDecision, packetEvent, prediction } from './sample-records';

const schemas = loadSchemaSet();

const samples: { [K in TopicName]: TopicRecords[K] } = {
  packets: packetEvent,
  anomalies: anomaly,
  mitigations: mitigationDecision,
  forensics: forensicRecord,
  predictions: prediction,
  'dead-letters': deadLetter,
};
const topics = Object.keys(samples) as TopicName[];

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError, nothing was thrown');
}

describe('Rabin fingerprint (CRC-64-AVRO)', () => {
  // Vectors from Avro's share/test/data/schema-tests.txt (signed 64-bit, as Java prints them).
  const vectors: [string, string][] = [
    ['"null"', '7195948357588979594'],
    ['"int"', '8247732601305521295'],
    ['"string"', '-8142146995180207161'],
    ['{"type":"array","items":"null"}', '-589620603366471059'],
    ['{"name":"x.y.foo","type":"record","fields":[]}', '5916914534497305771'],
    ['{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}', '-4860222112080293046'],
  ];
  it.each(vectors)('%s', (schema, expected) => {
    expect(BigInt.asIntN(64, rabinFingerprint(schema)).toString()).toBe(expected);
  });

  it('uses the parsing canonical form (names qualified, docs and defaults dropped)', () => {
    const t = Type.forSchema({
      type: 'record',
      name: 'foo',
      namespace: 'x.y',
      doc: 'd',
      fields: [{ name: 'f1', type: 'boolean', default: true, doc: 'x' }],
    } as never);
    expect(canonicalForm(t)).toBe('{"name":"x.y.foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}');
  });
});

describe('single-object framing', () => {
  it.each(topics)('%s round-trips', (topic) => {
    const codec = createTopicCodec(topic, { schemas });
    const bytes = codec.encode(samples[topic] as never);
    expect(codec.decode(bytes)).toEqual(samples[topic]);
  });

  it('frames as C3 01 + little-endian Rabin fingerprint + Avro body', () => {
    const codec = createTopicCodec('packets', { schemas });
    const bytes = codec.encode(packetEvent);
    const type = schemas.current.PacketEvent;
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.readBigUInt64LE(2)).toBe(rabinFingerprint(canonicalForm(type)));
    expect(bytes.subarray(10)).toEqual(type.toBuffer(packetEvent));
  });

  it('decodes a record written with history/PacketEvent/v0 (no `fragment`) with the default', () => {
    const v0 = schemas.writers.find((w) => w.record === 'PacketEvent' && w.version === 'v0');
    expect(v0).toBeDefined();
    const { fragment, ...oldPacket } = packetEvent;
    expect(fragment).toBe(true);
    const framed = Buffer.concat([Buffer.from([0xc3, 0x01]), v0!.fingerprint, v0!.type.toBuffer(oldPacket)]);
    const codec = createTopicCodec('packets', { schemas });
    expect(codec.decode(framed)).toEqual({ ...oldPacket, fragment: false });
  });

  it('reuses its buffer and grows it for records larger than the initial size', () => {
    const codec = createTopicCodec('packets', { schemas, initialBufferBytes: 16 });
    const big = { ...packetEvent, payload: Buffer.alloc(10_000, 7) };
    const a = codec.encode(big);
    const b = codec.encode(packetEvent);
    expect(codec.decode(a)).toEqual(big);
    expect(codec.decode(b)).toEqual(packetEvent);
  });

  it('encodeInto writes at an offset and reports a shortfall as a negative number', () => {
    const codec = createTopicCodec('packets', { schemas });
    const exact = codec.encode(packetEvent);
    const target = Buffer.alloc(exact.length + 5);
    expect(codec.encodeInto(packetEvent, target, 5)).toBe(exact.length + 5);
    expect(target.subarray(5)).toEqual(exact);
    expect(codec.encodeInto(packetEvent, Buffer.alloc(20), 0)).toBeLessThan(0);
  });

  it('names the bad field in EncodeError', () => {
    const codec = createTopicCodec('anomalies', { schemas });
    const bad = { ...anomaly, actual: { ...packetEvent, srcPort: 'http' } } as never;
    expect(() => codec.encode(bad)).toThrow(EncodeError);
    try {
      codec.encode(bad);
    } catch (e) {
      expect((e as EncodeError).path).toBe('actual.srcPort');
    }
  });

  it('refuses bytes of another record as incompatible-writer', () => {
    const anomalyBytes = createTopicCodec('anomalies', { schemas }).encode(anomaly);
    const err = decodeError(() => createTopicCodec('packets', { schemas }).decode(anomalyBytes));
    expect(err.reason).toBe('incompatible-writer');
    expect(err.topic).toBe('packets');
  });

  it('gives each failure its reason', () => {
    const codec = createTopicCodec('packets', { schemas });
    const good = codec.encode(packetEvent);
    const unknownFp = Buffer.from(good);
    unknownFp[9] ^= 0xff;
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), 'empty'],
      [Buffer.from([0x00, 0x01, 0x02]), 'bad-magic'],
      [good.subarray(0, 6), 'truncated-header'],
      [unknownFp, 'unknown-fingerprint'],
      [good.subarray(0, good.length - 1), 'truncated'],
      [Buffer.concat([good, Buffer.from([0])]), 'trailing-bytes'],
    ];
    for (const [bytes, reason] of cases) {
      const err = decodeError(() => codec.decode(bytes));
      expect(err.reason).toBe(reason);
      expect(err.byteLength).toBe(bytes.length);
    }
    const badEnum = Buffer.from(good);
    // direction is the enum right after tcpFlags; find it by re-encoding with another symbol
    const other = codec.encode({ ...packetEvent, direction: 'INGRESS' });
    const at = [...good].findIndex((b, i) => b !== other[i]);
    badEnum[at] = 0x7e; // zigzag 63: no such symbol
    expect(decodeError(() => codec.decode(badEnum)).reason).toBe('invalid-data');
  });
});

describe('Confluent framing', () => {
  it.each(topics)('%s round-trips with magic 0 and a big-endian schema id', (topic) => {
    const lookup = new InMemorySchemaIdLookup();
    const id = lookup.register(`${topic}-value`, schemas.current[createTopicCodec(topic, { schemas }).record], 258);
    const codec = createTopicCodec(topic, { schemas, framing: 'confluent', idLookup: lookup });
    const bytes = codec.encode(samples[topic] as never);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(codec.decode(bytes)).toEqual(samples[topic]);
  });

  it('decodes an older writer registered under its own id', () => {
    const lookup = new InMemorySchemaIdLookup();
    const v0 = schemas.writers.find((w) => w.record === 'PacketEvent' && w.version === 'v0')!;
    const oldId = lookup.register('packets-value', v0.type);
    const newId = lookup.register('packets-value', schemas.current.PacketEvent);
    expect(newId).not.toBe(oldId);
    const { fragment: _dropped, ...oldPacket } = packetEvent;
    const header = Buffer.alloc(5);
    header.writeInt32BE(oldId, 1);
    const codec = createTopicCodec('packets', { schemas, framing: 'confluent', idLookup: lookup });
    expect(codec.decode(Buffer.concat([header, v0.type.toBuffer(oldPacket)]))).toEqual({ ...oldPacket, fragment: false });
  });

  it('refuses unknown ids and bad magic, and will not encode an unregistered schema', () => {
    const lookup = new InMemorySchemaIdLookup();
    const codec = createTopicCodec('packets', { schemas, framing: 'confluent', idLookup: lookup });
    expect(() => codec.encode(packetEvent)).toThrow(SchemaNotRegisteredError);
    expect(decodeError(() => codec.decode(Buffer.from([0, 0, 0, 0, 9, 1]))).reason).toBe('unknown-schema-id');
    expect(decodeError(() => codec.decode(Buffer.from([0xc3, 0x01, 0, 0, 0, 9]))).reason).toBe('bad-magic');
    expect(decodeError(() => codec.decode(Buffer.from([0, 0, 0]))).reason).toBe('truncated-header');
  });

  it('needs an id lookup', () => {
    expect(() => new RecordCodec('packets', 'PacketEvent', schemas, { framing: 'confluent' })).toThrow(TypeError);
  });
});

describe('schema set', () => {
  it('parses every record with the shared options (unions unwrapped to X | null)', () => {
    const t = Type.forSchema(['null', 'string'] as never, parseOptions({}) as never);
    expect(t.fromBuffer(t.toBuffer(null))).toBeNull();
    expect(t.fromBuffer(t.toBuffer('a'))).toBe('a');
  });

  it('locates schemas/ from a compiled dist/ path too', () => {
    const root = path.resolve(__dirname, '../../..');
    expect(locateSchemaDir(path.join(root, 'dist', 'schemas'))).toBe(path.join(root, 'schemas'));
    expect(locateSchemaDir(path.join(root, 'schemas'))).toBe(path.join(root, 'schemas'));
    expect(() => locateSchemaDir(path.parse(root).root)).toThrow(SchemaLoadError);
  });
});

describe('deadLetterOf', () => {
  it('keeps the refused bytes and the reason, and encodes on dead-letters', () => {
    const value = Buffer.from([0x00, 0x01, 0x02]);
    const err = decodeError(() => createTopicCodec('packets', { schemas }).decode(value));
    const dl = deadLetterOf({ topic: 'packets', partition: 2, offset: '41', key: Buffer.from('vm-9'), value }, err, 1234);
    expect(dl).toEqual({ topic: 'packets', partition: 2, offset: '41', key: Buffer.from('vm-9'), value, reason: err.reason + ': ' + err.detail, tsMs: 1234 });
    expect(dl.reason).toMatch(/^bad-magic: /);
    const dlq = createTopicCodec('dead-letters', { schemas });
    expect(dlq.decode(dlq.encode(dl))).toEqual(dl);
  });
});
