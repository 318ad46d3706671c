import * as tf from '@tensorflow/tfjs';
import { activeBackend, selectBackend } from '../../../models/backend';
import { BackendUnavailableError } from '../../../models/errors';

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const hasNative = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  test('cpu and wasm can be chosen by name and are active afterwards', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(activeBackend()).toBe('cpu');
    expect(await selectBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // wasm really computes
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(y.dataSync())).toEqual([11]);
    y.dispose();
  });

  (hasNative ? test.skip : test)('a named native backend that is not installed is a typed error', async () => {
    const err = await selectBackend('tfjs-node').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/backend tfjs-node is not available: .*tfjs-node/);
  });

  (hasNative ? test.skip : test)('auto falls back to wasm when no native binding is installed', async () => {
    await selectBackend('cpu');
    expect(await selectBackend('auto')).toBe('wasm');
    expect(activeBackend()).toBe('wasm');
  });
});
