import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import { useBackend, type BackendName } from '../../src/runtime/backend.ts';

/** The backends every unit test runs on (tfjs-node cannot be installed here). */
export const BACKENDS_UNDER_TEST = ['wasm', 'cpu'] as const satisfies readonly BackendName[];

/**
 * Inside a `describe`: select `backend` before its tests, and check after them
 * (and after the describe's own afterAll hooks, which run first) that no tensor
 * was left behind.
 */
export function onBackendWithoutLeaks(backend: BackendName): void {
  let start = 0;
  beforeAll(async () => {
    await useBackend(backend);
    start = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors, `tensors left behind on ${backend}`).toBe(start);
  });
}
