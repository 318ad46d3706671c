/**
 * Picks the tfjs backend: native tfjs-node(-gpu) when installed (optional, never a dependency:
 * they download libtensorflow at install), else wasm (SIMD, single thread in Node), else cpu.
 * Returns the backend's name so the caller can print it at start.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './errors';

export type BackendChoice = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** Optional native bindings register backend 'tensorflow' on require. */
function tryRequire(name: string): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(name);
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

async function useNative(pkg: 'tfjs-node-gpu' | 'tfjs-node'): Promise<string | null> {
  const err = tryRequire(`@tensorflow/${pkg}`);
  if (err !== null) return err;
  return (await tf.setBackend('tensorflow')) ? null : 'backend tensorflow did not initialise';
}

async function useWasm(): Promise<string | null> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    wasm = require('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
  // The .wasm files sit beside the package's main file; threads stay off (no SharedArrayBuffer workers in Node).
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(dist + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  try {
    return (await tf.setBackend('wasm')) ? null : 'backend wasm did not initialise';
  } catch (e) {
    return (e as Error).message;
  }
}

async function useCpu(): Promise<string | null> {
  return (await tf.setBackend('cpu')) ? null : 'backend cpu did not initialise';
}

const NAMED: Record<Exclude<BackendChoice, 'auto'>, () => Promise<string | null>> = {
  'tfjs-node-gpu': () => useNative('tfjs-node-gpu'),
  'tfjs-node': () => useNative('tfjs-node'),
  wasm: useWasm,
  cpu: useCpu,
};

/**
 * Activates a backend. 'auto' tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order and
 * returns the first that works; a named choice that fails throws BackendUnavailableError.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<Exclude<BackendChoice, 'auto'>> {
  if (choice !== 'auto') {
    const err = await NAMED[choice]();
    if (err !== null) throw new BackendUnavailableError(choice, err);
    await tf.ready();
    return choice;
  }
  const reasons: string[] = [];
  for (const name of ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const) {
    const err = await NAMED[name]();
    if (err === null) {
      await tf.ready();
      return name;
    }
    reasons.push(`${name}: ${err}`);
  }
  throw new BackendUnavailableError('auto', reasons.join('; '));
}

/** Name of the tfjs backend in use ('wasm', 'cpu', 'tensorflow' for tfjs-node). */
export function activeBackend(): string {
  return tf.getBackend();
}
