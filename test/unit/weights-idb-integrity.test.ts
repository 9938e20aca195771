// Integrity of the weight store (fake-indexeddb): piece hashes taken on every write path (transformers.js put,
// import, chunked append), checked on every read path (match, readFile, readFiles), so flipped bytes of the same
// size and files cut short are caught and removed before an engine sees them; records from before digests still
// load, checked by size only; a full quota is named with the sizes and leaves no half-written file.
import 'fake-indexeddb/auto';
import { createStore, get, keys, set } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWeightStore, type WeightStore } from '../../workers/cache/weights-idb';
import { isIndexRecord, type IndexRecord } from '../../workers/cache/weight-records';
import { hashBytes, HASH_ALGORITHM } from '../../workers/cache/weight-hash';

const REPO = 'onnx-community/Qwen3-0.6B-ONNX';
const GGUF_REPO = 'Qwen/Qwen3-0.6B-GGUF';
const GGUF = 'Qwen3-0.6B-Q8_0.gguf';
const HUB = `https://huggingface.co/${REPO}/resolve/main/`;
const MODEL = 'onnx/model.onnx';

let counter = 0;
function freshPrefix(): string {
  counter += 1;
  return `weights-integrity-${process.pid}-${counter}`;
}

function bytes(length: number, seed = 3): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(length));
  for (let index = 0; index < length; index += 1) out[index] = (index * 29 + seed) % 256;
  return out;
}

function hashOf(data: Uint8Array): string {
  return hashBytes(data);
}

function responseOf(body: Uint8Array<ArrayBuffer>): Response {
  return new Response(body, { headers: { 'content-length': String(body.byteLength) } });
}

interface Stores {
  blobs: ReturnType<typeof createStore>;
  index: ReturnType<typeof createStore>;
}

function storesOf(prefix: string): Stores {
  return { blobs: createStore(`${prefix}-weights`, 'files'), index: createStore(`${prefix}-weight-index`, 'records') };
}

async function recordOf(prefix: string, key: string): Promise<IndexRecord> {
  const value: unknown = await get(key, storesOf(prefix).index);
  if (!isIndexRecord(value)) throw new Error(`no record for ${key}`);
  return value;
}

/** Flips one byte of what is stored under `key` (a whole blob, or one chunk), keeping its size. */
async function flipByte(prefix: string, key: IDBValidKey, at: number): Promise<void> {
  const { blobs } = storesOf(prefix);
  const stored: unknown = await get(key, blobs);
  if (!(stored instanceof Blob)) throw new Error('nothing stored there');
  const data = new Uint8Array(await stored.arrayBuffer());
  data[at] = (data[at] ?? 0) ^ 0xff;
  await set(key, new Blob([data]), blobs);
}

/** Replaces what is stored under `key` by its first `length` bytes. */
async function cutShort(prefix: string, key: IDBValidKey, length: number): Promise<void> {
  const { blobs } = storesOf(prefix);
  const stored: unknown = await get(key, blobs);
  if (!(stored instanceof Blob)) throw new Error('nothing stored there');
  await set(key, stored.slice(0, length), blobs);
}

async function storeChunked(store: WeightStore, parts: Uint8Array<ArrayBuffer>[]): Promise<void> {
  const size = parts.reduce((sum, part) => sum + part.byteLength, 0);
  await store.startFile(GGUF_REPO, GGUF, { size, source: 'http://127.0.0.1:8090', engine: 'llama-cpp' });
  for (const part of parts) await store.appendChunk(GGUF_REPO, GGUF, new Blob([part]));
  await store.completeFile(GGUF_REPO, GGUF);
}

/** The model host as the store's reachability probe sees it: answering (online) unless a test says otherwise. */
const hostProbes: string[] = [];
function hostAnswers(answers: boolean): void {
  vi.stubGlobal('fetch', (url: string) => {
    hostProbes.push(url);
    return answers ? Promise.resolve(new Response(null, { status: 200 })) : Promise.reject(new TypeError('Failed to fetch'));
  });
}

beforeEach(() => {
  hostProbes.length = 0;
  hostAnswers(true);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('hashes on write', () => {
  it('a transformers.js put and an import record the hash of the bytes they stored', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    const model = bytes(5000);
    const config = bytes(120, 9);
    await store.forModel(REPO, HUB).put(`${HUB}${MODEL}`, responseOf(model));
    await store.importFiles('local/model', [{ path: 'config.json', blob: new Blob([config]) }]);

    expect((await recordOf(prefix, `${REPO}/${MODEL}`)).hashes).toEqual({ algorithm: HASH_ALGORITHM, sliceBytes: 16 * 2 ** 20, values: [hashOf(model)] });
    expect((await recordOf(prefix, 'local/model/config.json')).hashes?.values).toEqual([hashOf(config)]);
  });

  it('a chunked download records one hash per chunk, in order', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    const parts = [bytes(4096, 1), bytes(4096, 2), bytes(10, 3)];
    await storeChunked(store, parts);
    expect((await recordOf(prefix, `${GGUF_REPO}/${GGUF}`)).chunked?.hashes).toEqual({ algorithm: HASH_ALGORITHM, values: parts.map(hashOf) });
  });
});

describe('checks on read', () => {
  it('match drops a whole file with one flipped byte (same size) and misses, so it is fetched again, while the host answers', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    const onDamaged = vi.fn<(file: string) => void>();
    const onHit = vi.fn<(file: string) => void>();
    const cache = store.forModel(REPO, HUB, { onDamaged, onHit });
    await cache.put(`${HUB}${MODEL}`, responseOf(bytes(5000)));
    await flipByte(prefix, `${REPO}/${MODEL}`, 4321);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const miss = await cache.match(`${HUB}${MODEL}`);
    expect(miss).toBeUndefined();
    expect(miss).not.toBeNull();
    expect(onDamaged).toHaveBeenCalledExactlyOnceWith(MODEL);
    expect(onHit).not.toHaveBeenCalled();
    expect(await keys(storesOf(prefix).blobs)).toEqual([]);
    expect(await store.listModels()).toEqual([]);

    expect(hostProbes).toEqual([`${HUB}${MODEL}`]);

    // Fetched again and stored: the cache hits, with the fresh bytes.
    const fresh = bytes(5000);
    await cache.put(`${HUB}${MODEL}`, responseOf(fresh));
    const hit = await cache.match(`${HUB}${MODEL}`);
    if (!hit) throw new Error('expected a hit');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(fresh);
  });

  it('offline, match answers a damaged file with a body that fails with IntegrityMismatch naming it, and no byte of it', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    const cache = store.forModel(REPO, HUB);
    await cache.put(`${HUB}${MODEL}`, responseOf(bytes(5000)));
    await flipByte(prefix, `${REPO}/${MODEL}`, 10);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    hostAnswers(false);

    const answer = await cache.match(`${HUB}${MODEL}`);
    if (!answer?.body) throw new Error('expected a response with a body');
    const reader = answer.body.getReader();
    const failure = await reader.read().then(() => undefined, (error: unknown) => error);
    expect(failure).toMatchObject({ name: 'IntegrityMismatch' });
    expect(failure instanceof Error && failure.message).toContain(MODEL);
    expect(failure instanceof Error && failure.message).toContain('huggingface.co');
    expect(await store.listFiles(REPO)).toEqual([]);

    // Once removed, it is a plain miss: nothing is damaged any more.
    expect(await cache.match(`${HUB}${MODEL}`)).toBeUndefined();
  });

  it('match drops a whole file cut short', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    const onDamaged = vi.fn<(file: string) => void>();
    const cache = store.forModel(REPO, HUB, { onDamaged });
    await cache.put(`${HUB}${MODEL}`, responseOf(bytes(5000)));
    await cutShort(prefix, `${REPO}/${MODEL}`, 4000);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    expect(await cache.match(`${HUB}${MODEL}`)).toBeUndefined();
    expect(onDamaged).toHaveBeenCalledExactlyOnceWith(MODEL);
    expect(await store.listFiles(REPO)).toEqual([]);
  });

  it('readFile drops a chunked file with a flipped byte in one chunk, or one chunk cut short', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const damage of ['flip', 'cut'] as const) {
      const prefix = freshPrefix();
      const store = createWeightStore(prefix);
      await storeChunked(store, [bytes(4096, 1), bytes(4096, 2), bytes(10, 3)]);
      const chunk: IDBValidKey = [`${GGUF_REPO}/${GGUF}`, 1];
      if (damage === 'flip') await flipByte(prefix, chunk, 17);
      else await cutShort(prefix, chunk, 2048);

      expect(await store.readFile(GGUF_REPO, GGUF)).toBeUndefined();
      expect(await store.partialFile(GGUF_REPO, GGUF)).toBeUndefined();
      expect(await keys(storesOf(prefix).blobs)).toEqual([]);
      expect(await store.listModels()).toEqual([]);
    }
  });

  it('readFile names a damaged file (IntegrityMismatch) when its host cannot be reached, and removes it', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    await storeChunked(store, [bytes(4096, 1), bytes(10, 2)]);
    await flipByte(prefix, [`${GGUF_REPO}/${GGUF}`, 0], 100);
    hostAnswers(false);
    const onDamaged = vi.fn<() => void>();
    store.forModel(GGUF_REPO, 'http://127.0.0.1:8090/models/Qwen/Qwen3-0.6B-GGUF/');

    const error = await store.readFile(GGUF_REPO, GGUF, onDamaged).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'IntegrityMismatch' });
    expect(error instanceof Error && error.message).toContain(`${GGUF}: the stored copy was damaged and was removed`);
    expect(error instanceof Error && error.message).toContain('http://127.0.0.1:8090');
    expect(onDamaged).toHaveBeenCalledOnce();
    expect(hostProbes).toEqual([`http://127.0.0.1:8090/models/Qwen/Qwen3-0.6B-GGUF/${GGUF}`]);
    expect(await store.listModels()).toEqual([]);
  });

  it('readFiles (export) leaves a damaged file out and keeps the intact ones', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    const config = bytes(100, 4);
    await store.importFiles(REPO, [{ path: 'config.json', blob: new Blob([config]) }, { path: MODEL, blob: new Blob([bytes(3000)]) }]);
    await flipByte(prefix, `${REPO}/${MODEL}`, 0);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const files = await store.readFiles(REPO);
    expect(files.map((file) => file.path)).toEqual(['config.json']);
    expect(new Uint8Array(await (files[0]?.blob ?? new Blob()).arrayBuffer())).toEqual(config);
  });
});

describe('records from before hashes', () => {
  it('a whole blob without hashes still loads, checked by size only: same-size damage passes, a cut does not', async () => {
    const prefix = freshPrefix();
    const { blobs, index } = storesOf(prefix);
    const key = `${REPO}/${MODEL}`;
    const data = bytes(3000);
    await set(key, new Blob([data]), blobs);
    await set(key, { key, repo: REPO, file: MODEL, bytes: data.byteLength, storedAt: Date.now() }, index);
    const cache = createWeightStore(prefix).forModel(REPO, HUB);

    const hit = await cache.match(`${HUB}${MODEL}`);
    if (!hit) throw new Error('an old record must still load');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(data);
    await flipByte(prefix, key, 5);
    expect(await cache.match(`${HUB}${MODEL}`)).toBeInstanceOf(Response);
    await cutShort(prefix, key, 2999);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await cache.match(`${HUB}${MODEL}`)).toBeUndefined();
  });

  it('a download started without hashes resumes and completes size-checked; a new start records hashes again', async () => {
    const prefix = freshPrefix();
    const { blobs, index } = storesOf(prefix);
    const store = createWeightStore(prefix);
    const key = `${GGUF_REPO}/${GGUF}`;
    const first = bytes(4096, 1);
    const second = bytes(100, 2);
    await set([key, 0], new Blob([first]), blobs);
    const old = { key, repo: GGUF_REPO, file: GGUF, bytes: 4096, storedAt: 1, engine: 'llama-cpp', chunked: { size: 4196, chunks: 1, complete: false } };
    await set(key, old, index);

    await store.appendChunk(GGUF_REPO, GGUF, new Blob([second]));
    await store.completeFile(GGUF_REPO, GGUF);
    expect((await recordOf(prefix, key)).chunked?.hashes).toBeUndefined();
    const whole = await store.readFile(GGUF_REPO, GGUF);
    expect(whole?.size).toBe(4196);

    await storeChunked(store, [first, second]);
    expect((await recordOf(prefix, key)).chunked?.hashes?.values).toEqual([hashOf(first), hashOf(second)]);
  });
});

describe('a full quota', () => {
  it('a put that does not fit is named QuotaExceeded with the sizes, keeps nothing of the file, and is kept for the load', async () => {
    const prefix = freshPrefix();
    const store = createWeightStore(prefix);
    vi.stubGlobal('navigator', { storage: { estimate: () => Promise.resolve({ usage: 9 * 2 ** 20, quota: 10 * 2 ** 20 }) } });
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value, key) {
      if (value instanceof Blob && value.size > 2 ** 20) throw new DOMException('quota reached', 'QuotaExceededError');
      return put.call(this, value, key);
    });
    const onStoreFailed = vi.fn<(file: string, error: Error) => void>();
    const cache = store.forModel(REPO, HUB, { onStoreFailed });
    await cache.put(`${HUB}config.json`, responseOf(bytes(100)));
    const error = await cache.put(`${HUB}${MODEL}`, responseOf(bytes(3 * 2 ** 20))).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'QuotaExceeded' });
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain(MODEL);
    expect(message).toContain('3.0 MiB');
    expect(message).toContain('1.0 MiB free of the 10.0 MiB');
    expect(message).toContain('storage panel');
    expect(cache.storeFailure()).toBe(error);
    expect(onStoreFailed).toHaveBeenCalledOnce();
    expect((await store.listFiles(REPO)).map((file) => file.url)).toEqual([`${REPO}/config.json`]);
  });
});

describe('the quota message', () => {
  it('leaves out a free-space figure that contradicts the refusal (a forced quota the estimate does not report)', async () => {
    const store = createWeightStore(freshPrefix());
    vi.stubGlobal('navigator', { storage: { estimate: () => Promise.resolve({ usage: 0, quota: 10 * 2 ** 30 }) } });
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota reached', 'QuotaExceededError');
    });
    const error = await store.importFiles(REPO, [{ path: MODEL, blob: new Blob([bytes(2 ** 20)]) }]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'QuotaExceeded' });
    const message = error instanceof Error ? error.message : '';
    expect(message).toContain(`${MODEL} (1.0 MiB) did not fit, 1.0 MiB more are needed; nothing of this file was kept`);
    expect(message).not.toContain('free of');
  });
});
