// The IndexedDB weight store (over fake-indexeddb): Cache-API match/put by repo/file key, size checks, listing, deletion, corruption and events.
import 'fake-indexeddb/auto';
import { createStore, get, keys, set } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWeightStore, type CacheEvents } from '../../workers/cache/weights-idb';

const REPO = 'onnx-community/Qwen3-0.6B-ONNX';
const OTHER_REPO = 'onnx-community/Qwen3-1.7B-ONNX';
const HUB = `https://huggingface.co/${REPO}/resolve/main/`;
const MIRROR = `http://192.168.1.10:8080/${REPO}/`;
const OTHER_HUB = `https://huggingface.co/${OTHER_REPO}/resolve/main/`;

let prefixCounter = 0;
/** A fresh database pair per test, so tests never see each other's entries. */
function uniquePrefix(): string {
  prefixCounter += 1;
  return `weights-test-${process.pid}-${prefixCounter}`;
}

function bytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(length));
  for (let index = 0; index < length; index += 1) out[index] = (index * 31 + seed) % 256;
  return out;
}

function responseOf(body: Uint8Array<ArrayBuffer>, contentLength: number | undefined = body.byteLength): Response {
  const headers = new Headers();
  if (contentLength !== undefined) headers.set('content-length', String(contentLength));
  return new Response(body, { headers });
}

async function bodyBytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

function blobStore(prefix: string): ReturnType<typeof createStore> {
  return createStore(`${prefix}-weights`, 'files');
}

// A damaged entry makes the store probe the model host (to fetch it again, or name it offline): it answers here.
beforeEach(() => {
  vi.stubGlobal('fetch', () => Promise.resolve(new Response(null, { status: 200 })));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('forModel match/put', () => {
  it('returns a stored file with the same bytes and a content-length header', async () => {
    const store = createWeightStore(uniquePrefix());
    const cache = store.forModel(REPO, HUB);
    const data = bytes(1234);
    await cache.put(`${HUB}onnx/model_q4f16.onnx`, responseOf(data));

    const hit = await cache.match(`${HUB}onnx/model_q4f16.onnx`);
    expect(hit).toBeInstanceOf(Response);
    if (!hit) throw new Error('expected a cached response');
    expect(hit.headers.get('content-length')).toBe('1234');
    expect(await bodyBytes(hit)).toEqual(data);
  });

  it('misses with undefined (not null) for a file never stored', async () => {
    const cache = createWeightStore(uniquePrefix()).forModel(REPO, HUB);
    const miss = await cache.match(`${HUB}config.json`);
    expect(miss).toBeUndefined();
    expect(miss).not.toBeNull();
  });

  it('keys files by repo and file, so a file stored from a mirror is found under the hub URL', async () => {
    const store = createWeightStore(uniquePrefix());
    const data = bytes(64, 7);
    await store.forModel(REPO, MIRROR).put(`${MIRROR}tokenizer.json`, responseOf(data));

    const hit = await store.forModel(REPO, HUB).match(`${HUB}tokenizer.json`);
    if (!hit) throw new Error('expected a cached response');
    expect(await bodyBytes(hit)).toEqual(data);
  });

  it('misses with undefined for URLs outside the model prefix, and put ignores them', async () => {
    const store = createWeightStore(uniquePrefix());
    const onStored = vi.fn<(file: string, bytes: number) => void>();
    const cache = store.forModel(REPO, HUB, { onStored });

    await cache.put(`${OTHER_HUB}config.json`, responseOf(bytes(10)));
    await cache.put('https://cdn.example.com/ort-wasm.wasm', responseOf(bytes(10)));

    expect(onStored).not.toHaveBeenCalled();
    expect(await store.listModels()).toEqual([]);
    const outside = await cache.match(`${OTHER_HUB}config.json`);
    expect(outside).toBeUndefined();
    expect(outside).not.toBeNull();
    expect(await cache.match('https://cdn.example.com/ort-wasm.wasm')).toBeUndefined();
  });

  it('accepts a response without a content-length header', async () => {
    const store = createWeightStore(uniquePrefix());
    const cache = store.forModel(REPO, HUB);
    const data = bytes(300);
    await cache.put(`${HUB}config.json`, responseOf(data, undefined));
    const hit = await cache.match(`${HUB}config.json`);
    if (!hit) throw new Error('expected a cached response');
    expect(hit.headers.get('content-length')).toBe('300');
    expect(await bodyBytes(hit)).toEqual(data);
  });

  it('throws IntegrityMismatch and stores nothing when Content-Length disagrees with the body', async () => {
    const prefix = uniquePrefix();
    const store = createWeightStore(prefix);
    const onStored = vi.fn<(file: string, bytes: number) => void>();
    const onStoreFailed = vi.fn<(file: string, error: Error) => void>();
    const cache = store.forModel(REPO, HUB, { onStored, onStoreFailed });

    const error: unknown = await cache
      .put(`${HUB}onnx/model.onnx_data`, responseOf(bytes(100), 5000))
      .then(() => undefined, (caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    if (!(error instanceof Error)) throw new Error('expected an Error');
    expect(error.name).toBe('IntegrityMismatch');
    expect(error.message).toContain('onnx/model.onnx_data');
    expect(error.message).toContain('100');
    expect(error.message).toContain('5000');
    expect(onStored).not.toHaveBeenCalled();
    expect(onStoreFailed).toHaveBeenCalledTimes(1);
    expect(onStoreFailed.mock.calls[0]?.[0]).toBe('onnx/model.onnx_data');

    expect(await cache.match(`${HUB}onnx/model.onnx_data`)).toBeUndefined();
    expect(await store.listModels()).toEqual([]);
    expect(await store.listFiles(REPO)).toEqual([]);
    expect(await keys(blobStore(prefix))).toEqual([]);
  });
});

describe('listing and deletion', () => {
  async function seed(prefix: string): Promise<ReturnType<typeof createWeightStore>> {
    const store = createWeightStore(prefix);
    const first = store.forModel(REPO, HUB);
    await first.put(`${HUB}config.json`, responseOf(bytes(100)));
    await first.put(`${HUB}tokenizer.json`, responseOf(bytes(250)));
    await first.put(`${HUB}onnx/model_q4f16.onnx`, responseOf(bytes(4000)));
    const second = store.forModel(OTHER_REPO, OTHER_HUB);
    await second.put(`${OTHER_HUB}config.json`, responseOf(bytes(120)));
    await second.put(`${OTHER_HUB}onnx/model_q4.onnx`, responseOf(bytes(5000)));
    return store;
  }

  it('listModels groups records by repo with file counts and byte totals, sorted by repo', async () => {
    const store = await seed(uniquePrefix());
    expect(await store.listModels()).toEqual([
      { repo: REPO, engine: 'transformers', files: 3, bytes: 100 + 250 + 4000, sources: ['https://huggingface.co'], exportable: true },
      { repo: OTHER_REPO, engine: 'transformers', files: 2, bytes: 120 + 5000, sources: ['https://huggingface.co'], exportable: true },
    ]);
  });

  it('listFiles lists one repo’s files with their sizes and store times', async () => {
    const before = Date.now();
    const store = await seed(uniquePrefix());
    const after = Date.now();
    const files = await store.listFiles(REPO);
    const byUrl = [...files].sort((a, b) => a.url.localeCompare(b.url));
    expect(byUrl.map(({ url, bytes: size }) => ({ url, bytes: size }))).toEqual([
      { url: `${REPO}/config.json`, bytes: 100 },
      { url: `${REPO}/onnx/model_q4f16.onnx`, bytes: 4000 },
      { url: `${REPO}/tokenizer.json`, bytes: 250 },
    ]);
    for (const file of files) {
      expect(file.storedAt).toBeGreaterThanOrEqual(before);
      expect(file.storedAt).toBeLessThanOrEqual(after);
    }
    expect(await store.listFiles('nobody/nothing')).toEqual([]);
  });

  it('deleteModel removes only that repo’s records and blobs', async () => {
    const prefix = uniquePrefix();
    const store = await seed(prefix);
    await store.deleteModel(REPO);

    expect(await store.listModels()).toEqual([
      { repo: OTHER_REPO, engine: 'transformers', files: 2, bytes: 5120, sources: ['https://huggingface.co'], exportable: true },
    ]);
    expect(await store.listFiles(REPO)).toEqual([]);
    expect(await store.forModel(REPO, HUB).match(`${HUB}config.json`)).toBeUndefined();
    const blobKeys = await keys<string>(blobStore(prefix));
    expect(blobKeys.sort()).toEqual([`${OTHER_REPO}/config.json`, `${OTHER_REPO}/onnx/model_q4.onnx`]);

    const kept = await store.forModel(OTHER_REPO, OTHER_HUB).match(`${OTHER_HUB}onnx/model_q4.onnx`);
    if (!kept) throw new Error('expected the other repo to stay cached');
    expect(await bodyBytes(kept)).toEqual(bytes(5000));
  });
});

describe('corruption', () => {
  it('drops an entry whose stored blob is shorter than its record on match', async () => {
    const prefix = uniquePrefix();
    const store = createWeightStore(prefix);
    const onHit = vi.fn<(file: string) => void>();
    const cache = store.forModel(REPO, HUB, { onHit });
    await cache.put(`${HUB}onnx/model.onnx`, responseOf(bytes(2048)));
    await cache.put(`${HUB}config.json`, responseOf(bytes(50)));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    await set(`${REPO}/onnx/model.onnx`, new Blob([bytes(1000)]), blobStore(prefix));

    expect(await cache.match(`${HUB}onnx/model.onnx`)).toBeUndefined();
    expect(onHit).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect((await store.listFiles(REPO)).map((file) => file.url)).toEqual([`${REPO}/config.json`]);
    expect(await store.listModels()).toEqual([
      { repo: REPO, engine: 'transformers', files: 1, bytes: 50, sources: ['https://huggingface.co'], exportable: true },
    ]);
    expect(await get(`${REPO}/onnx/model.onnx`, blobStore(prefix))).toBeUndefined();
    // The intact file is untouched.
    expect(await cache.match(`${HUB}config.json`)).toBeInstanceOf(Response);
  });

  it('drops an entry whose blob is missing or not a Blob', async () => {
    const prefix = uniquePrefix();
    const store = createWeightStore(prefix);
    const cache = store.forModel(REPO, HUB);
    await cache.put(`${HUB}tokenizer.json`, responseOf(bytes(40)));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    await set(`${REPO}/tokenizer.json`, 'not a blob', blobStore(prefix));

    expect(await cache.match(`${HUB}tokenizer.json`)).toBeUndefined();
    expect(await store.listFiles(REPO)).toEqual([]);
  });
});

describe('events', () => {
  it('fires onStored with the file name and size, then onHit with the file name', async () => {
    const onHit = vi.fn<(file: string) => void>();
    const onStored = vi.fn<(file: string, bytes: number) => void>();
    const events: CacheEvents = { onHit, onStored };
    const cache = createWeightStore(uniquePrefix()).forModel(REPO, HUB, events);

    await cache.put(`${HUB}onnx/model_q4f16.onnx`, responseOf(bytes(777)));
    expect(onStored).toHaveBeenCalledExactlyOnceWith('onnx/model_q4f16.onnx', 777);
    expect(onHit).not.toHaveBeenCalled();

    await cache.match(`${HUB}config.json`); // a miss fires nothing
    expect(onHit).not.toHaveBeenCalled();

    await cache.match(`${HUB}onnx/model_q4f16.onnx`);
    expect(onHit).toHaveBeenCalledExactlyOnceWith('onnx/model_q4f16.onnx');
  });
});
