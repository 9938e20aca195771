// Benchmark data in the app's IndexedDB store (src/lib/storage.ts, on fake-indexeddb): results come back through
// the parser they are read with, a damaged record left out and counted; the device id is made once and kept; the
// builds the user chose per model come back, anything else in that record ignored.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createStore, set } from 'idb-keyval';
import { parseMeasured } from '../../common/bench/auto-pick';
import { parseResult } from '../../common/bench/result';
import { benchDeviceId, loadBenchResults, loadBuildChoices, saveBenchResults, saveBuildChoices } from '../../src/lib/storage';
import { sampleResult } from './bench-sample';

describe('benchmark results on the device', () => {
  it('come back as saved, and a damaged record is left out and counted', async () => {
    const results = [sampleResult(), sampleResult()];
    await saveBenchResults(results);
    expect(await loadBenchResults(parseResult)).toEqual({ results, leftOut: 0 });
    await set('v1:bench-results', [...results, { id: 'damaged' }], createStore('qwen-chat-app', 'data'));
    const loaded = await loadBenchResults(parseResult);
    expect(loaded.results).toEqual(results);
    expect(loaded.leftOut).toBe(1);
    expect((await loadBenchResults(parseMeasured)).results.map((result) => result.id)).toEqual(results.map((result) => result.id));
  });

  it('keeps one device id', async () => {
    const first = await benchDeviceId();
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await benchDeviceId()).toBe(first);
  });

  it('keeps the chosen builds, ignoring values that are not build ids', async () => {
    await saveBuildChoices({ 'Qwen3 0.6B': 'qwen3-0.6b-onnx' });
    expect(await loadBuildChoices()).toEqual({ 'Qwen3 0.6B': 'qwen3-0.6b-onnx' });
    await set('v1:build-choices', { 'Qwen3 0.6B': 'qwen3-0.6b-onnx', broken: 3 }, createStore('qwen-chat-app', 'data'));
    expect(await loadBuildChoices()).toEqual({ 'Qwen3 0.6B': 'qwen3-0.6b-onnx' });
  });
});
