/**
 * schemas/types.ts against the .avsc files. Compile time: sample-records.ts types each sample with
 * its interface (missing or extra fields fail tsc). Run time: each sample is valid for its Avro
 * type, round-trips unchanged, and has exactly the Avro record's field names.
 */
import { Type } from 'avsc';
import { loadSchemaSet, RECORD_NAMES } from '../../../schemas/schema-set';
import { DIRECTIONS, MITIGATION_ACTIONS, samplesByName, unionsComplete } from './sample-records';

const schemas = loadSchemaSet();

function fieldNames(type: Type): string[] {
  return (type as unknown as { fields: { name: string }[] }).fields.map((f) => f.name).sort();
}

describe('TS record types match the Avro schemas', () => {
  it('has a sample for every named record type and nothing else', () => {
    const records = Object.entries(schemas.named)
      .filter(([, t]) => t.typeName === 'record')
      .map(([name]) => name)
      .sort();
    expect(Object.keys(samplesByName).sort()).toEqual(records);
    for (const r of RECORD_NAMES) expect(records).toContain(`io.prescient.${r}`);
  });

  it.each(Object.keys(samplesByName))('%s: field names equal the sample keys', (name) => {
    const type = schemas.named[name];
    for (const sample of samplesByName[name]) {
      expect(Object.keys(sample as object).sort()).toEqual(fieldNames(type));
    }
  });

  it.each(Object.keys(samplesByName))('%s: samples are valid and round-trip unchanged', (name) => {
    const type = schemas.named[name];
    for (const sample of samplesByName[name]) {
      const errors: string[] = [];
      const valid = type.isValid(sample, {
        noUndeclaredFields: true,
        errorHook: (path: string[], value: unknown) => errors.push(`${path.join('.')}=${String(value)}`),
      });
      expect(errors).toEqual([]);
      expect(valid).toBe(true);
      const back = type.fromBuffer(type.toBuffer(sample));
      expect(back).toEqual(sample);
    }
  });

  it('enum symbols equal the TS unions', () => {
    expect(unionsComplete).toBe(true);
    const symbols = (name: string): string[] => (schemas.named[name] as unknown as { symbols: string[] }).symbols;
    expect(symbols('io.prescient.Direction')).toEqual([...DIRECTIONS]);
    expect(symbols('io.prescient.MitigationAction')).toEqual([...MITIGATION_ACTIONS]);
  });

  it('refuses a sample with a field the schema lacks or missing one it has', () => {
    const type = schemas.current.PredictedPacket;
    expect(type.isValid({ size: 1, tcpFlags: 0, entropy: 0, iatUs: 0, extra: 1 }, { noUndeclaredFields: true })).toBe(false);
    expect(type.isValid({ size: 1, tcpFlags: 0, entropy: 0 })).toBe(false);
  });
});
