import { profileAreas, renderProfileAreas, type CpuProfile } from '../../../benchmarks/bench/cpu-profile-areas';

const frame = (functionName: string, url = ''): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber: 9 });

// root -> runChunk (runtime) -> process (operators); root -> writeCheckpoint -> encodeStateCell -> (JSON builtin, no url);
// (and -> replacer, in the same file as the Redis backend's codec); root -> (idle); root -> (garbage collector); root -> fetch decoder (kafkajs).
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 7, 8, 9] },
    { id: 2, callFrame: frame('runChunk', 'file:///x/dist/topology/runtime/task.js'), children: [3] },
    { id: 3, callFrame: frame('process', 'file:///x/dist/operators/baseline.js') },
    { id: 4, callFrame: frame('writeCheckpoint', 'file:///x/dist/state/redis-backend.js'), children: [5] },
    { id: 5, callFrame: frame('encodeStateCell', 'file:///x/dist/state/redis-value-codec.js'), children: [6, 10] },
    { id: 6, callFrame: frame('stringify') },
    { id: 7, callFrame: frame('(idle)') },
    { id: 8, callFrame: frame('(garbage collector)') },
    { id: 9, callFrame: frame('decode', 'file:///x/node_modules/kafkajs/src/protocol/recordBatch/v0/decoder.js') },
    { id: 10, callFrame: frame('replacer', 'file:///x/dist/state/redis-value-codec.js') },
  ],
  samples: [3, 3, 2, 6, 6, 6, 5, 7, 7, 8, 9, 10],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100, 1000, 1000, 200, 300, 100],
};

describe('cpu profile by area', () => {
  const r = profileAreas(profile);
  const area = (name: string): number | undefined => r.areas.find((a) => a.area.startsWith(name))?.us;

  it('idle is left out of busy; each sample goes to the first area up its stack', () => {
    expect(r.totalUs).toBe(3300);
    expect(r.busyUs).toBe(1300);
    expect(area('operators')).toBe(200);
    expect(area('runtime')).toBe(100);
    // The JSON builtin and the replacer under encodeStateCell count as checkpoint encoding, not as Redis or "other".
    expect(area('checkpoint: state cell encode')).toBe(500);
    expect(area('checkpoint: Redis')).toBeUndefined();
    expect(area('GC')).toBe(200);
    expect(area('kafkajs fetch/decode')).toBe(300);
    expect(r.areas.reduce((a, x) => a + x.us, 0)).toBe(r.busyUs);
  });

  it('top self functions carry their file and line; the markdown has both tables', () => {
    expect(r.functions[0]).toEqual({ fn: 'stringify', us: 300, pct: (300 / 1300) * 100 });
    expect(r.functions.map((f) => f.fn)).toContain('process operators/baseline.js:10');
    const md = renderProfileAreas(r, 3);
    expect(md).toMatch(/\| checkpoint: state cell encode \(state\/redis-value-codec encodeStateCell\) \| \d \| 38\.5 \|/);
    expect(md.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(3);
  });
});
