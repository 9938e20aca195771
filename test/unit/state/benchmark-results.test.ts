// BenchmarkResults with in-memory storage: kept results come back newest first and feed the auto-pick; an export
// downloads JSON and CSV that import back; a bad file is refused with a message and nothing kept is lost; an
// import adds only new results; a failed save says so.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BenchmarkResults } from '../../../src/lib/state/benchmark-results.svelte';
import type { BenchResult } from '../../../common/bench/result';
import { sampleMachine, sampleResult } from '../bench-sample';
import { MemoryResultsStorage } from './bench-fakes';

interface Download {
  name: string;
  type: string;
  text: string;
}

function setup(kept: BenchResult[] = []): { state: BenchmarkResults; storage: MemoryResultsStorage; downloads: Download[]; changes: (readonly BenchResult[])[] } {
  const storage = new MemoryResultsStorage();
  storage.saved = kept;
  const downloads: Download[] = [];
  const changes: (readonly BenchResult[])[] = [];
  const state = new BenchmarkResults({
    storage,
    download: (name, type, text) => downloads.push({ name, type, text }),
    onChange: (results) => changes.push(results),
  });
  return { state, storage, downloads, changes };
}

const file = (name: string, text: string): { name: string; size: number; text: () => Promise<string> } => ({
  name,
  size: text.length,
  text: () => Promise.resolve(text),
});

describe('kept results', () => {
  it('come back newest first, grouped by machine', async () => {
    const older = sampleResult({ measuredAt: '2026-01-01T00:00:00.000Z' });
    const newer = sampleResult({ measuredAt: '2026-02-01T00:00:00.000Z', machine: sampleMachine({ deviceId: 'other' }) });
    const { state } = setup([older, newer]);
    await state.restore();
    expect(state.results.map((result) => result.id)).toEqual([newer.id, older.id]);
    expect(state.machines.map((group) => group.machine.deviceId)).toEqual(['other', 'device-a']);
    expect(state.deviceId).toBe('device-here');
  });
});

describe('export and import', () => {
  it('downloads JSON and CSV that import back into another browser', async () => {
    const results = [sampleResult(), sampleResult({ buildId: 'gguf', decodeTokensPerS: 50 })];
    const { state, downloads } = setup(results);
    await state.restore();
    state.exportJson();
    state.exportCsv();
    expect(downloads.map((download) => download.name)).toEqual([expect.stringMatching(/^benchmark-.*\.json$/), expect.stringMatching(/^benchmark-.*\.csv$/)]);

    for (const download of downloads) {
      const other = setup();
      await other.state.restore();
      await other.state.importFile(file(download.name, download.text));
      expect(other.state.importError).toBeUndefined();
      expect(other.state.importNotice).toContain('Imported 2 results');
      expect(other.storage.saved).toHaveLength(2);
      expect(other.changes.at(-1)).toHaveLength(2);
      expect([...other.state.results].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...results].sort((a, b) => a.id.localeCompare(b.id)));
    }
  });

  it('adds only results not already kept', async () => {
    const kept = sampleResult();
    const fresh = sampleResult();
    const { state, downloads } = setup([kept, fresh]);
    await state.restore();
    state.exportJson();
    const again = setup([kept]);
    await again.state.restore();
    await again.state.importFile(file('both.json', downloads[0]?.text ?? ''));
    expect(again.state.importNotice).toContain('Imported 1 result from both.json (JSON); 1 already kept');
    expect(again.state.results).toHaveLength(2);
  });

  it('refuses a bad file with a message, and loses nothing', async () => {
    const kept = sampleResult();
    const { state, storage, changes } = setup([kept]);
    await state.restore();
    await state.importFile(file('notes.txt', 'hello,world\n1,2\n'));
    expect(state.importError).toMatch(/^notes\.txt was not imported\. This CSV file is not a benchmark export/);
    await state.importFile(file('broken.json', '{"format": "qwen-webgpu-chat/benchmark-results", "version": 1, "results": [{"id": 3}]}'));
    expect(state.importError).toMatch(/Result 1 is not a valid benchmark result \(schema: missing\)/);
    await state.importFile({ name: 'huge.json', size: 50e6, text: () => Promise.reject(new Error('not read')) });
    expect(state.importError).toMatch(/huge\.json was not imported/);
    expect(state.results).toEqual([kept]);
    expect(storage.saved).toEqual([kept]);
    expect(changes).toEqual([]);
  });

  it('says when results could not be saved, and keeps them on screen', async () => {
    const { state, storage } = setup();
    await state.restore();
    storage.failure = new Error('QuotaExceededError');
    await state.add([sampleResult()]);
    expect(state.results).toHaveLength(1);
    expect(state.saveError).toMatch(/could not be saved.*QuotaExceededError/);
    await state.clear();
    expect(state.results).toEqual([]);
  });
});
