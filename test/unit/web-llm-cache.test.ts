// web-llm's IndexedDB cache as the storage panel sees it, over fake-indexeddb, with the REAL @mlc-ai/web-llm doing
// "has" (hasModelInCache) and "delete" (deleteModelAllInfoInCache) against the same databases. Entries are written
// in web-llm's own layout ({ url, data } in the `urls` store of `webllm/model`, `webllm/config`, `webllm/wasm`),
// since web-llm only writes them during a real load, which cannot run here.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findModel } from '../../common/catalog/builds';
import { WEB_LLM_CATALOG } from '../../common/catalog/web-llm-builds';
import type { ModelRecord } from '../../common/model-record';
import { createWebLlmCache } from '../../workers/cache/web-llm-cache';
import { loadWebLlmRuntime, type WebLlmRuntime } from '../../workers/engines/web-llm';

const RECORD = findModel('webllm:Qwen3-0.6B-q4f32_1-MLC') as ModelRecord;
const OTHER = findModel('webllm:Qwen3.5-0.8B-q4f16_1-MLC') as ModelRecord;
const HUB = 'https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f32_1-MLC/resolve/main/';
const MIRROR = 'http://127.0.0.1:8190/mlc-ai/Qwen3-0.6B-q4f32_1-MLC/resolve/main/';
const OTHER_HUB = 'https://huggingface.co/mlc-ai/Qwen3.5-0.8B-q4f16_1-MLC/resolve/main/';
const DBS = ['webllm/model', 'webllm/config', 'webllm/wasm'] as const;
type Db = (typeof DBS)[number];

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('request failed'));
  });
}

/** Opens a database the way web-llm's ArtifactIndexedDBCache.initDB does (version 1, store `urls` keyed by url). */
async function open(name: Db): Promise<IDBDatabase> {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains('urls')) req.result.createObjectStore('urls', { keyPath: 'url' });
  };
  return request(req);
}

async function put(name: Db, url: string, data: unknown): Promise<void> {
  const db = await open(name);
  await request(db.transaction('urls', 'readwrite').objectStore('urls').put({ url, data }));
  db.close();
}

async function keys(name: Db): Promise<string[]> {
  const db = await open(name);
  const all = await request(db.transaction('urls', 'readonly').objectStore('urls').getAllKeys());
  db.close();
  return all.map(String).sort();
}

async function clearAll(): Promise<void> {
  for (const name of DBS) {
    const db = await open(name);
    await request(db.transaction('urls', 'readwrite').objectStore('urls').clear());
    db.close();
  }
}

const SHARDS = [
  { dataPath: 'params_shard_0.bin', nbytes: 1000 },
  { dataPath: 'params_shard_1.bin', nbytes: 2000 },
];
const TENSOR_INDEX = { metadata: { ParamSize: 2 }, records: SHARDS.map((shard) => ({ ...shard, format: 'raw-shard', records: [] })) };
const TENSOR_INDEX_BYTES = new TextEncoder().encode(JSON.stringify(TENSOR_INDEX)).byteLength;

/** Stores a complete build the way a finished web-llm load leaves it. */
async function storeBuild(modelUrl: string, record: ModelRecord, options: { withIndex?: boolean; shards?: number } = {}): Promise<void> {
  if (options.withIndex !== false) await put('webllm/model', `${modelUrl}tensor-cache.json`, TENSOR_INDEX);
  for (const shard of SHARDS.slice(0, options.shards ?? SHARDS.length)) {
    await put('webllm/model', `${modelUrl}${shard.dataPath}`, new ArrayBuffer(shard.nbytes));
  }
  await put('webllm/model', `${modelUrl}tokenizer.json`, new ArrayBuffer(300));
  await put('webllm/config', `${modelUrl}mlc-chat-config.json`, new ArrayBuffer(50));
  await put('webllm/wasm', record.mlc?.modelLib ?? '', new ArrayBuffer(400));
}

let runtime: WebLlmRuntime;
let imports = 0;
const getRuntime = async (): Promise<WebLlmRuntime> => {
  imports += 1;
  return runtime;
};
const networkCalls: string[] = [];

beforeEach(async () => {
  runtime = await loadWebLlmRuntime();
  imports = 0;
  networkCalls.length = 0;
  // Nothing here may reach the network: web-llm fetches tensor-cache.json when it is missing from its cache.
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    networkCalls.push(String(input instanceof Request ? input.url : input));
    throw new TypeError('Failed to fetch (no network in unit tests)');
  });
});

afterEach(async () => {
  vi.unstubAllGlobals();
  await clearAll();
});

describe('web-llm cache listing', () => {
  it('lists nothing, and does not even load web-llm, when web-llm never stored anything', async () => {
    const cache = createWebLlmCache(WEB_LLM_CATALOG, getRuntime);
    expect(await cache.list()).toEqual([]);
    expect(imports).toBe(0);
  });

  it('lists a complete build with its size from tensor-cache.json, its files, and web-llm\'s own "has"', async () => {
    await storeBuild(HUB, RECORD);
    const listed = await createWebLlmCache(WEB_LLM_CATALOG, getRuntime).list();
    expect(listed).toEqual([
      {
        repo: 'mlc-ai/Qwen3-0.6B-q4f32_1-MLC',
        engine: 'web-llm',
        files: 6,
        bytes: 1000 + 2000 + TENSOR_INDEX_BYTES + 300 + 50 + 400,
        complete: true,
        exportable: false,
      },
    ]);
    // The same answer straight from the real web-llm with the app config we would load with.
    const appConfig = { model_list: [{ model: HUB, model_id: RECORD.mlc?.modelId ?? '', model_lib: RECORD.mlc?.modelLib ?? '' }], cacheBackend: 'indexeddb' as const };
    expect(await runtime.hasModelInCache(RECORD.mlc?.modelId ?? '', appConfig)).toBe(true);
    expect(networkCalls).toEqual([]);
  });

  it('marks a cut download as partial (web-llm says it is not in cache)', async () => {
    await storeBuild(HUB, RECORD, { shards: 1 });
    const [entry] = await createWebLlmCache(WEB_LLM_CATALOG, getRuntime).list();
    expect(entry).toMatchObject({ repo: RECORD.repo, complete: false, bytes: 1000 + TENSOR_INDEX_BYTES + 300 + 50 + 400 });
  });

  it('adds up one build stored from two model sources, and keeps builds apart', async () => {
    await storeBuild(HUB, RECORD);
    await storeBuild(MIRROR, RECORD);
    await storeBuild(OTHER_HUB, OTHER);
    const listed = await createWebLlmCache(WEB_LLM_CATALOG, getRuntime).list();
    expect(listed.map((entry) => [entry.repo, entry.files])).toEqual([
      ['mlc-ai/Qwen3-0.6B-q4f32_1-MLC', 11],
      ['mlc-ai/Qwen3.5-0.8B-q4f16_1-MLC', 6],
    ]);
  });
});

describe('web-llm cache delete', () => {
  it('deletes through web-llm\'s deleteModelAllInfoInCache, then sweeps what it leaves (tensor-cache.json)', async () => {
    await storeBuild(HUB, RECORD);
    await storeBuild(OTHER_HUB, OTHER);
    const spy = vi.spyOn(runtime, 'deleteModelAllInfoInCache');
    const cache = createWebLlmCache(WEB_LLM_CATALOG, getRuntime);
    await cache.delete(RECORD.repo);
    expect(spy).toHaveBeenCalledWith('Qwen3-0.6B-q4f32_1-MLC', expect.objectContaining({ cacheBackend: 'indexeddb' }));
    expect((await keys('webllm/model')).filter((key) => key.startsWith(HUB))).toEqual([]);
    expect(await keys('webllm/config')).toEqual([`${OTHER_HUB}mlc-chat-config.json`]);
    expect(await keys('webllm/wasm')).toEqual([OTHER.mlc?.modelLib]);
    expect((await cache.list()).map((entry) => entry.repo)).toEqual([OTHER.repo]);
    expect(networkCalls).toEqual([]);
  });

  it('deletes a download cut before tensor-cache.json arrived without fetching anything', async () => {
    await storeBuild(MIRROR, RECORD, { withIndex: false, shards: 1 });
    const cache = createWebLlmCache(WEB_LLM_CATALOG, getRuntime);
    await cache.delete(RECORD.repo);
    expect(await cache.list()).toEqual([]);
    expect(networkCalls).toEqual([]);
  });

  it('deletes every copy of a build, from every model source', async () => {
    await storeBuild(HUB, RECORD);
    await storeBuild(MIRROR, RECORD);
    const cache = createWebLlmCache(WEB_LLM_CATALOG, getRuntime);
    await cache.delete(RECORD.repo);
    expect(await keys('webllm/model')).toEqual([]);
    expect(await keys('webllm/config')).toEqual([]);
  });

  it('leaves web-llm alone for a repo it never stored (a transformers.js repo)', async () => {
    await storeBuild(HUB, RECORD);
    await createWebLlmCache(WEB_LLM_CATALOG, getRuntime).delete('onnx-community/Qwen3-0.6B-ONNX');
    expect((await keys('webllm/model')).length).toBe(4);
  });
});
