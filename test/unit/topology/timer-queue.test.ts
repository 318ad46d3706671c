import { TimerQueue } from '../../../topology/runtime/timer-queue';

describe('TimerQueue', () => {
  it('pops due timers by time, then registration order; registers a (key, time, tag) once', () => {
    const q = new TimerQueue('event');
    q.register('a', 30, '');
    q.register('b', 10, 'x');
    q.register('c', 10, 'y');
    q.register('b', 10, 'x'); // duplicate
    q.register('a', 20, '');
    expect(q.size).toBe(4);
    expect(q.peekTimeUs()).toBe(10);
    const fired: string[] = [];
    for (let e = q.pollDue(25); e !== undefined; e = q.pollDue(25)) fired.push(`${e.key}@${e.timeUs}${e.tag}`);
    expect(fired).toEqual(['b@10x', 'c@10y', 'a@20']);
    expect(q.size).toBe(1);
    q.register('b', 10, 'x'); // fired before: may be registered again
    expect(q.pollDue(10)?.key).toBe('b');
  });

  it('deletes timers so they never fire', () => {
    const q = new TimerQueue('processing');
    for (let i = 0; i < 100; i++) q.register(`k${i % 10}`, 1000 - i, 't');
    for (let i = 0; i < 100; i += 2) q.delete(`k${i % 10}`, 1000 - i, 't');
    q.delete('nope', 1, 't');
    expect(q.size).toBe(50);
    const times: number[] = [];
    for (let e = q.pollDue(Infinity); e !== undefined; e = q.pollDue(Infinity)) times.push(e.timeUs);
    expect(times).toEqual(Array.from({ length: 50 }, (_, j) => 901 + 2 * j));
    expect(q.peekTimeUs()).toBe(Infinity);
    expect(q.size).toBe(0);
  });
});
