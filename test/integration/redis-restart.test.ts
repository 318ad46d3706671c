/**
 * Real Redis restarted (SHUTDOWN, start again on the same port with its AOF/RDB): checkpoints
 * written before are restored after, and the same backend reconnects and writes again.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { RedisStateBackend, RedisUnavailableError } from '../../state';
import { REPO_ROOT, runDirOf } from './setup/services';
import { describeIntegration, uniqueName } from './helpers/services';

function redisCtl(action: 'stop' | 'start' | 'restart'): void {
  const res = spawnSync('bash', [path.join(REPO_ROOT, 'deploy/local/redis.sh'), action], { encoding: 'utf8', timeout: 30000 });
  if (res.status !== 0) throw new Error(`redis.sh ${action} failed: ${res.stderr}`);
}

describeIntegration('redis restart', ({ redisUrl }) => {
  // Only a Redis that deploy/local started can be restarted here (not one given by REDIS_URL).
  const restartable = runDirOf() !== undefined;
  const maybe = restartable ? test : test.skip;
  if (!restartable) console.warn('redis restart test skipped: REDIS_URL was given, not started by deploy/local');

  maybe('checkpoints survive a restart; the backend reconnects; writes while down fail clearly', async () => {
    const ns = uniqueName('restart');
    const b = new RedisStateBackend({ url: redisUrl, namespace: ns, maxRetriesPerRequest: 2 });
    await b.connect();
    try {
      const task = b.openTask(4);
      const t = task.table<Float64Array>('predict/h');
      t.set('vm-9', Float64Array.from([1.5, -2.25]));
      await b.saveCheckpoint({ partition: 4, offset: 4242, entries: task.dirtyEntries(), takenAtMs: 1 });

      redisCtl('stop');
      const err = await b.saveCheckpoint({ partition: 4, offset: 4243, entries: [], takenAtMs: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedisUnavailableError);
      expect((err as RedisUnavailableError).partition).toBe(4);
      expect((err as Error).message).toContain(redisUrl.replace(/\/$/, ''));
      redisCtl('start');

      // Same client, reconnected by itself.
      const cp = (await b.restore(4))!;
      expect(cp.offset).toBe(4242);
      expect(cp.entries).toHaveLength(1);
      expect(cp.entries[0].value).toBeInstanceOf(Float64Array);
      expect(Array.from(cp.entries[0].value as Float64Array)).toEqual([1.5, -2.25]);
      await b.saveCheckpoint({ partition: 4, offset: 5000, entries: [{ state: 'predict/h', key: 'vm-9', value: 1 }], takenAtMs: 3 });

      // A clean restart keeps the write made just before it.
      redisCtl('restart');
      const fresh = new RedisStateBackend({ url: redisUrl, namespace: ns });
      await fresh.connect();
      const after = (await fresh.loadCheckpoint(4))!;
      await fresh.close();
      expect(after.offset).toBe(5000);
      expect(after.entries).toEqual([{ state: 'predict/h', key: 'vm-9', value: 1 }]);
    } finally {
      await b.close();
    }
  });
});
