// Chunked, resumable downloads into the IndexedDB weight store (fake-indexeddb), against the real model mirror on a
// free port (real HTTP, real Range semantics): a whole download, cuts at many offsets and the resumes, a server that
// ignores Range, a file changed on the server, a full quota, an abort, a missing chunk, a file the server lacks
// (an error, or left out with skipMissing), and the progress events.
import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createStore, del, keys } from 'idb-keyval';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoadProgress } from '../../common/protocol';
import { fetchFilesIntoStore, type DownloadOptions, type StoredFile } from '../../workers/cache/chunked-download';
import { createWeightStore, type WeightStore } from '../../workers/cache/weights-idb';
import { startModelMirror, type ModelMirror } from '../fixtures/model-mirror';

const REPO = 'test/tiny-gguf';
const SHARDS = ['model-00001-of-00002.gguf', 'model-00002-of-00002.gguf'];
const CHUNK = 64 * 1024;

let workDir: string;
let mirror: ModelMirror;
const sources = new Map<string, Buffer>();
let prefixCounter = 0;
let store: WeightStore;
let prefix: string;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function blobSha(blob: Blob): Promise<string> {
  return sha256(new Uint8Array(await blob.arrayBuffer()));
}

/** Writes a file to the mirror with fresh random bytes; a distinct mtime gives it a distinct ETag. */
async function serve(file: string, size: number, mtimeSeconds = 1_700_000_000): Promise<Buffer> {
  const bytes = randomBytes(size);
  const target = path.join(workDir, ...REPO.split('/'), file);
  await writeFile(target, bytes);
  await utimes(target, mtimeSeconds, mtimeSeconds);
  sources.set(file, bytes);
  return bytes;
}

function sourceSize(file: string): number {
  return sources.get(file)?.byteLength ?? 0;
}

function options(files: readonly string[], events: LoadProgress[] = [], extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return {
    store, repo: REPO, engine: 'llama-cpp', filesBaseUrl: `${mirror.url}${REPO}/`, files,
    onProgress: (progress) => events.push(progress), chunkBytes: CHUNK, ...extra,
  };
}

async function attempt(files: readonly string[], events: LoadProgress[] = []): Promise<StoredFile[] | Error> {
  return fetchFilesIntoStore(options(files, events)).catch((error: unknown) => {
    if (error instanceof Error) return error;
    throw error;
  });
}

async function expectSameAsSource(stored: readonly StoredFile[]): Promise<void> {
  for (const file of stored) expect(await blobSha(file.blob)).toBe(sha256(sources.get(file.path) ?? Buffer.alloc(0)));
}

async function chunkKeys(): Promise<unknown[]> {
  return (await keys(createStore(`${prefix}-weights`, 'files'))).filter((key) => Array.isArray(key));
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'chunked-download-'));
  await mkdir(path.join(workDir, ...REPO.split('/')), { recursive: true });
  mirror = await startModelMirror({ root: workDir });
});

beforeEach(async () => {
  prefixCounter += 1;
  prefix = `chunked-${process.pid}-${prefixCounter}`;
  store = createWeightStore(prefix);
  await serve(SHARDS[0] ?? '', 5 * CHUNK + 1234);
  await serve(SHARDS[1] ?? '', 2 * CHUNK + 77, 1_700_000_100);
  mirror.clearRequests();
});

afterEach(() => {
  mirror.setIgnoreRanges(false);
  mirror.cancelCuts();
  vi.restoreAllMocks();
});

afterAll(async () => {
  await mirror.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('a whole download', () => {
  it('stores each file as chunks, hands back the same bytes, and reads them from the store the next time', async () => {
    const events: LoadProgress[] = [];
    const first = await fetchFilesIntoStore(options(SHARDS, events));
    expect(first.map((file) => [file.path, file.fromCache])).toEqual(SHARDS.map((file) => [file, false]));
    await expectSameAsSource(first);
    const total = SHARDS.reduce((sum, file) => sum + sourceSize(file), 0);
    expect(await chunkKeys()).toHaveLength(SHARDS.reduce((sum, file) => sum + Math.ceil(sourceSize(file) / CHUNK), 0));

    // Progress: the bar knows the whole total from the start (a HEAD per shard), never goes back, then reads back.
    const downloads = events.filter((event) => event.phase === 'download');
    expect(downloads.every((event) => event.totalBytes === total && event.filesTotal === 2)).toBe(true);
    const loaded = downloads.map((event) => event.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(downloads.at(-1)?.loadedBytes).toBe(total);
    const reads = events.filter((event) => event.phase === 'cache-read');
    expect(events.slice(-reads.length)).toEqual(reads);
    expect(reads.at(-1)).toMatchObject({ loadedBytes: total, totalBytes: total, filesDone: 2, file: SHARDS[1] });

    mirror.clearRequests();
    const again: LoadProgress[] = [];
    const second = await fetchFilesIntoStore(options(SHARDS, again));
    expect(second.every((file) => file.fromCache)).toBe(true);
    await expectSameAsSource(second);
    expect(mirror.requests).toEqual([]);
    expect(again.every((event) => event.phase === 'cache-read')).toBe(true);
    expect(await store.listModels()).toEqual([
      { repo: REPO, engine: 'llama-cpp', files: 2, bytes: total, sources: [new URL(mirror.url).origin], exportable: true },
    ]);
  });

  it('names the file when the server answers 404, and stores nothing', async () => {
    const error = await attempt(['missing.gguf']);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'DownloadFailed', message: expect.stringContaining('missing.gguf: HTTP 404') });
    expect(await store.listModels()).toEqual([]);
  });

  it('with skipMissing, leaves a 404 file out of the result and still stores the others', async () => {
    const events: LoadProgress[] = [];
    const files = [SHARDS[0] ?? '', 'missing.json', SHARDS[1] ?? ''];
    const stored = await fetchFilesIntoStore(options(files, events, { skipMissing: true }));
    expect(stored.map((file) => file.path)).toEqual(SHARDS);
    await expectSameAsSource(stored);
    const total = SHARDS.reduce((sum, file) => sum + sourceSize(file), 0);
    expect(events.filter((event) => event.phase === 'download').at(-1)).toMatchObject({ loadedBytes: total, totalBytes: total, filesTotal: 3 });
    expect((await store.listFiles(REPO)).map((file) => file.url).sort()).toEqual(SHARDS.map((file) => `${REPO}/${file}`).sort());
  });
});

describe('cut downloads resume inside the file', () => {
  it('resumes from the first missing byte after cuts at many offsets, fetching nothing twice', async () => {
    const [firstShard = '', secondShard = ''] = SHARDS;
    const firstOffsets = [1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 999, sourceSize(firstShard) - 1];
    const secondOffsets = [17, 2 * CHUNK];
    mirror.cutDownloadsAt(firstShard, firstOffsets);
    mirror.cutDownloadsAt(secondShard, secondOffsets);
    const cuts = firstOffsets.length + secondOffsets.length;

    let result: StoredFile[] | Error = new Error('not tried');
    let storedBefore = 0;
    let tries = 0;
    for (; tries <= cuts; tries += 1) {
      const events: LoadProgress[] = [];
      mirror.clearRequests();
      result = await attempt(SHARDS, events);
      // A resumed bar starts where the last try stopped.
      expect(events[0]?.loadedBytes).toBe(storedBefore);
      const storedNow = (await store.listModels())[0]?.bytes ?? 0;
      expect(storedNow).toBeGreaterThanOrEqual(storedBefore);
      // Bytes fetched again per cut: those the server sent in this try beyond what the store gained. What sat in
      // the fetch stream's queue when the connection broke is lost; what had been read is stored before the error.
      expect(mirror.bytesSent - (storedNow - storedBefore)).toBeLessThanOrEqual(CHUNK);
      storedBefore = storedNow;
      if (!(result instanceof Error)) break;
      expect(result.name).toBe('DownloadFailed');
      expect((await store.listModels())[0]).toMatchObject({ repo: REPO, engine: 'llama-cpp', complete: false, exportable: false });
    }
    if (result instanceof Error) throw result;
    expect(tries).toBe(cuts);
    await expectSameAsSource(result);
    expect(storedBefore).toBe(SHARDS.reduce((sum, file) => sum + sourceSize(file), 0));
    expect((await store.listModels())[0]).not.toHaveProperty('complete');
  });

  it('downloads the whole file again when the server ignores Range, and the result is still right', async () => {
    const [shard = ''] = SHARDS;
    mirror.cutDownloadsAt(shard, [2 * CHUNK + 5]);
    expect((await attempt([shard])) instanceof Error).toBe(true);
    mirror.clearRequests();
    mirror.setIgnoreRanges(true);

    const result = await attempt([shard]);
    if (result instanceof Error) throw result;
    await expectSameAsSource(result);
    expect(mirror.bytesSent).toBe(sourceSize(shard));
    expect(await chunkKeys()).toHaveLength(Math.ceil(sourceSize(shard) / CHUNK));
  });

  it('starts over instead of splicing two versions when the file changed on the server (ETag differs)', async () => {
    const [shard = ''] = SHARDS;
    mirror.cutDownloadsAt(shard, [3 * CHUNK + 10]);
    expect((await attempt([shard])) instanceof Error).toBe(true);
    // Same size, new bytes and a new mtime: only the validator tells the two versions apart.
    await serve(shard, sourceSize(shard), 1_800_000_000);
    mirror.clearRequests();

    const result = await attempt([shard]);
    if (result instanceof Error) throw result;
    await expectSameAsSource(result);
    expect(mirror.requests.filter((line) => line.startsWith('GET'))).toHaveLength(2);
  });

  it('starts over when the file on the server has a different size', async () => {
    const [shard = ''] = SHARDS;
    mirror.cutDownloadsAt(shard, [CHUNK + 3]);
    expect((await attempt([shard])) instanceof Error).toBe(true);
    await serve(shard, sourceSize(shard) + 4096, 1_700_000_000);

    const result = await attempt([shard]);
    if (result instanceof Error) throw result;
    await expectSameAsSource(result);
  });

  it('stops on abort with Aborted, keeps what arrived, and the next try resumes', async () => {
    const [shard = ''] = SHARDS;
    const controller = new AbortController();
    const events: LoadProgress[] = [];
    const stopped = await fetchFilesIntoStore(options([shard], events, {
      signal: controller.signal,
      onProgress: (progress) => {
        events.push(progress);
        if (progress.loadedBytes >= 2 * CHUNK) controller.abort();
      },
    })).catch((error: unknown) => error);
    expect(stopped).toMatchObject({ name: 'Aborted' });
    const kept = (await store.listModels())[0]?.bytes ?? 0;
    expect(kept).toBeGreaterThanOrEqual(2 * CHUNK);

    mirror.clearRequests();
    const result = await attempt([shard]);
    if (result instanceof Error) throw result;
    await expectSameAsSource(result);
    expect(mirror.bytesSent).toBeLessThanOrEqual(sourceSize(shard) - kept + CHUNK);
  });
});

describe('the store', () => {
  it('names a full quota with the file and sizes, removes the half-written chunk, and resumes once there is room', async () => {
    const [shard = ''] = SHARDS;
    const put = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value, key) {
      if (Array.isArray(key) && key[1] === 3) throw new DOMException('quota reached', 'QuotaExceededError');
      return put.call(this, value, key);
    });
    const error = await attempt([shard]);
    expect(error).toMatchObject({ name: 'QuotaExceeded' });
    if (!(error instanceof Error)) throw new Error('expected an error');
    expect(error.message).toContain(shard);
    expect(error.message).toContain('did not fit');
    expect(error.message).toMatch(/\d+\.\d MiB/);
    expect(await chunkKeys()).toHaveLength(3);
    expect((await store.listModels())[0]).toMatchObject({ bytes: 3 * CHUNK, complete: false });

    spy.mockRestore();
    const result = await attempt([shard]);
    if (result instanceof Error) throw result;
    await expectSameAsSource(result);
  });

  it('fetches a file again when one of its stored chunks has gone missing', async () => {
    const [shard = ''] = SHARDS;
    expect((await attempt([shard])) instanceof Error).toBe(false);
    await del([`${REPO}/${shard}`, 1], createStore(`${prefix}-weights`, 'files'));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    mirror.clearRequests();

    const result = await attempt([shard]);
    if (result instanceof Error) throw result;
    expect(result[0]?.fromCache).toBe(false);
    await expectSameAsSource(result);
    expect(mirror.bytesSent).toBe(sourceSize(shard));
  });
});
