// web-llm's load reports normalised into LoadProgress. The reports below are what web-llm 0.2.86 sends for a
// first load (download, then copy to the GPU, then shader compilation) and for a load from IndexedDB, written with
// the exact text formats of its tvmjs runtime (fetchTensorCacheInternal, asyncLoadWebGPUPipelines) and MLCEngine;
// a real load cannot run on this machine (no model library, no hub), so they are reconstructed, not captured.
import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../common/protocol';
import { WebLlmProgressNormaliser, type WebLlmProgressReport } from '../../workers/engines/web-llm-progress';

const MiB = 1024 * 1024;
const SHARD = 32 * MiB;
const SHARDS = 4;
const TOTAL = SHARD * SHARDS;

function fetching(done: number, seconds: number): WebLlmProgressReport {
  const fetched = done * SHARD;
  return {
    progress: fetched / TOTAL,
    timeElapsed: seconds,
    text:
      `Fetching param cache[${done}/${SHARDS}]: ${Math.ceil(fetched / MiB)}MB fetched. ` +
      `${Math.floor((fetched * 100) / TOTAL)}% completed, ${seconds} secs elapsed. ` +
      'It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.',
  };
}

function loading(done: number, seconds: number): WebLlmProgressReport {
  const loaded = done * SHARD;
  return {
    progress: loaded / TOTAL,
    timeElapsed: seconds,
    text:
      `Loading model from cache[${done}/${SHARDS}]: ${Math.ceil(loaded / MiB)}MB loaded. ` +
      `${Math.floor((loaded * 100) / TOTAL)}% completed, ${seconds} secs elapsed.`,
  };
}

function shaders(done: number, of: number, seconds: number): WebLlmProgressReport {
  return {
    progress: done / of,
    timeElapsed: seconds,
    text: `Loading GPU shader modules[${done}/${of}]: ${Math.floor((done / of) * 100)}% completed, ${seconds} secs elapsed.`,
  };
}

const START: WebLlmProgressReport = { progress: 0, timeElapsed: 0, text: 'Start to fetch params' };
const FINISH: WebLlmProgressReport = { progress: 1, timeElapsed: 21.4, text: 'Finish loading on WebGPU - nvidia' };

const FIRST_LOAD: WebLlmProgressReport[] = [
  START,
  fetching(1, 2),
  fetching(2, 3),
  fetching(3, 5),
  fetching(4, 6),
  loading(1, 7),
  loading(2, 7),
  loading(3, 8),
  loading(4, 8),
  shaders(60, 120, 9),
  shaders(120, 120, 10),
  FINISH,
];

function run(reports: WebLlmProgressReport[], expected = TOTAL): { normaliser: WebLlmProgressNormaliser; seen: LoadProgress[] } {
  const normaliser = new WebLlmProgressNormaliser(expected);
  const seen = [normaliser.start(), ...reports.map((report) => normaliser.report(report))];
  return { normaliser, seen };
}

describe('WebLlmProgressNormaliser', () => {
  it('turns a first load into download -> cache-read -> compile -> ready with bytes and shard counts', () => {
    const { normaliser, seen } = run(FIRST_LOAD);
    expect(seen.map((progress) => progress.phase)).toEqual([
      'download', 'download', 'download', 'download', 'download', 'download',
      'cache-read', 'cache-read', 'cache-read', 'cache-read',
      'compile', 'compile', 'ready',
    ]);
    expect(seen[2]).toEqual({ phase: 'download', loadedBytes: 1 * SHARD, totalBytes: TOTAL, filesDone: 1, filesTotal: 4 });
    expect(seen[5]).toEqual({ phase: 'download', loadedBytes: TOTAL, totalBytes: TOTAL, filesDone: 4, filesTotal: 4 });
    expect(seen[7]).toEqual({ phase: 'cache-read', loadedBytes: 2 * SHARD, totalBytes: TOTAL, filesDone: 2, filesTotal: 4 });
    expect(seen.at(-1)).toEqual({ phase: 'ready', loadedBytes: TOTAL, totalBytes: TOTAL, filesDone: 4, filesTotal: 4 });
    expect(normaliser.fetchedFromNetwork).toBe(true);
    expect(normaliser.shardsTotal).toBe(4);
  });

  it('bytes never go backwards within the download phase', () => {
    const { seen } = run(FIRST_LOAD);
    const downloads = seen.filter((progress) => progress.phase === 'download').map((progress) => progress.loadedBytes);
    expect(downloads).toEqual([...downloads].sort((a, b) => a - b));
  });

  it('a load from IndexedDB reads from cache without any download report', () => {
    const { normaliser, seen } = run([START, loading(1, 1), loading(4, 2), shaders(120, 120, 3), FINISH]);
    expect(seen.map((progress) => progress.phase)).toEqual(['download', 'download', 'cache-read', 'cache-read', 'compile', 'ready']);
    expect(normaliser.fetchedFromNetwork).toBe(false);
  });

  it('without a catalogue size, learns the total from web-llm\'s MB figure', () => {
    const { seen } = run([START, fetching(1, 1), fetching(2, 2)], 0);
    expect(seen[2]?.totalBytes).toBe(TOTAL);
    expect(seen[3]?.loadedBytes).toBe(2 * SHARD);
  });

  it('keeps the phase on a report it does not know, and clamps odd fractions', () => {
    const normaliser = new WebLlmProgressNormaliser(TOTAL);
    normaliser.report(fetching(2, 1));
    expect(normaliser.report({ progress: 0.75, timeElapsed: 1, text: 'something new' })).toMatchObject({
      phase: 'download',
      loadedBytes: 0.75 * TOTAL,
      filesDone: 2,
    });
    expect(normaliser.report({ progress: Number.NaN, timeElapsed: 1, text: 'x' }).loadedBytes).toBe(0);
    expect(normaliser.report({ progress: 7, timeElapsed: 1, text: 'x' }).loadedBytes).toBe(TOTAL);
  });
});
