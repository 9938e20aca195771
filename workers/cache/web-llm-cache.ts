// What web-llm has stored in IndexedDB, per model, with sizes; and deleting it. With `cacheBackend: "indexeddb"`
// web-llm keeps three databases, `webllm/model` (weight shards, tensor-cache.json, tokenizer), `webllm/config`
// (mlc-chat-config.json) and `webllm/wasm` (model libraries), each with one object store `urls` of
// `{ url, data }` keyed by the file's URL. Has and delete go through web-llm's own `hasModelInCache` and
// `deleteModelAllInfoInCache`, with an app config whose model URL is the one the files were stored under; listing
// and sizes read the databases directly, because web-llm offers no listing. Invariants: a database that does not
// exist is never created here (web-llm creates it with its store on first use), and web-llm itself is imported
// only when its model database exists.
import type { AppConfig } from '@mlc-ai/web-llm';
import type { CachedModel } from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';
import type { WebLlmRuntime } from '../engines/web-llm';

const STORE = 'urls';
const MODEL_DB = 'webllm/model';
const CONFIG_DB = 'webllm/config';
const WASM_DB = 'webllm/wasm';
const TENSOR_INDEX = 'tensor-cache.json';

/** `<anything>/<org>/<name>/resolve/<revision>/<file>` -> the model URL (through the revision) and the repo. */
const MODEL_FILE_URL = /^(.*\/([^/]+)\/([^/]+)\/resolve\/[^/]+\/)(.+)$/;

interface StoredGroup {
  repo: string;
  /** web-llm's model URL, ending in `resolve/<revision>/`. */
  modelUrl: string;
  modelKeys: string[];
  configKeys: string[];
}

async function databaseExists(name: string): Promise<boolean> {
  if (typeof indexedDB.databases !== 'function') return true;
  const all = await indexedDB.databases();
  return all.some((info) => info.name === name);
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Opens one of web-llm's databases, or undefined when it does not exist yet. */
async function openDatabase(name: string): Promise<IDBDatabase | undefined> {
  if (!(await databaseExists(name))) return undefined;
  const open = indexedDB.open(name, 1);
  // Only reached where `indexedDB.databases` is missing: create exactly what web-llm would.
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: 'url' });
  };
  const db = await request(open);
  if (!db.objectStoreNames.contains(STORE)) {
    db.close();
    return undefined;
  }
  return db;
}

async function withDatabase<T>(name: string, fallback: T, work: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await openDatabase(name);
  if (!db) return fallback;
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

async function keysOf(db: IDBDatabase): Promise<string[]> {
  const keys = await request(db.transaction(STORE, 'readonly').objectStore(STORE).getAllKeys());
  return keys.filter((key): key is string => typeof key === 'string');
}

async function dataOf(db: IDBDatabase, key: string): Promise<unknown> {
  const entry: unknown = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(key));
  return typeof entry === 'object' && entry !== null && 'data' in entry ? entry.data : undefined;
}

async function deleteKeys(db: IDBDatabase, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const transaction = db.transaction(STORE, 'readwrite');
  const store = transaction.objectStore(STORE);
  for (const key of keys) store.delete(key);
  await new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB delete failed'));
  });
}

function sizeOf(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof Blob) return data.size;
  if (data === undefined) return 0;
  return new TextEncoder().encode(JSON.stringify(data)).byteLength;
}

/** `{ records: [{ dataPath, nbytes }] }` from tensor-cache.json -> shard URL -> bytes. */
function shardSizes(index: unknown, modelUrl: string): Map<string, number> {
  const sizes = new Map<string, number>();
  if (typeof index !== 'object' || index === null || !('records' in index) || !Array.isArray(index.records)) return sizes;
  for (const shard of index.records as unknown[]) {
    if (typeof shard !== 'object' || shard === null) continue;
    if (!('dataPath' in shard) || typeof shard.dataPath !== 'string') continue;
    if (!('nbytes' in shard) || typeof shard.nbytes !== 'number') continue;
    sizes.set(new URL(shard.dataPath, modelUrl).href, shard.nbytes);
  }
  return sizes;
}

function group(modelKeys: readonly string[], configKeys: readonly string[]): StoredGroup[] {
  const groups = new Map<string, StoredGroup>();
  const add = (key: string, into: 'modelKeys' | 'configKeys'): void => {
    const match = MODEL_FILE_URL.exec(key);
    const modelUrl = match?.[1];
    if (!match || modelUrl === undefined) return;
    const found = groups.get(modelUrl) ?? { repo: `${match[2]}/${match[3]}`, modelUrl, modelKeys: [], configKeys: [] };
    found[into].push(key);
    groups.set(modelUrl, found);
  };
  for (const key of modelKeys) add(key, 'modelKeys');
  for (const key of configKeys) add(key, 'configKeys');
  return [...groups.values()];
}

function appConfigFor(record: ModelRecord, modelUrl: string): AppConfig | undefined {
  if (!record.mlc) return undefined;
  return {
    model_list: [{ model: modelUrl, model_id: record.mlc.modelId, model_lib: record.mlc.modelLib }],
    cacheBackend: 'indexeddb',
  };
}

export interface WebLlmCache {
  list(): Promise<CachedModel[]>;
  /** Deletes everything stored for this repo under any model URL; a no-op for a repo web-llm never stored. */
  delete(repo: string): Promise<void>;
}

export function createWebLlmCache(records: readonly ModelRecord[], getRuntime: () => Promise<WebLlmRuntime>): WebLlmCache {
  const byRepo = new Map(records.filter((record) => record.mlc).map((record) => [record.repo, record]));
  const repoOfLib = new Map(records.flatMap((record) => (record.mlc ? [[record.mlc.modelLib, record.repo] as const] : [])));

  async function storedGroups(): Promise<StoredGroup[]> {
    const modelKeys = await withDatabase(MODEL_DB, [], keysOf);
    const configKeys = await withDatabase(CONFIG_DB, [], keysOf);
    return group(modelKeys, configKeys);
  }

  async function groupBytes(groupToSize: StoredGroup): Promise<number> {
    const { modelUrl, modelKeys, configKeys } = groupToSize;
    let bytes = 0;
    await withDatabase(MODEL_DB, undefined, async (db) => {
      const indexKey = new URL(TENSOR_INDEX, modelUrl).href;
      const shards = modelKeys.includes(indexKey) ? shardSizes(await dataOf(db, indexKey), modelUrl) : new Map<string, number>();
      for (const key of modelKeys) bytes += shards.get(key) ?? sizeOf(await dataOf(db, key));
      return undefined;
    });
    await withDatabase(CONFIG_DB, undefined, async (db) => {
      for (const key of configKeys) bytes += sizeOf(await dataOf(db, key));
      return undefined;
    });
    return bytes;
  }

  async function isComplete(repo: string, modelUrl: string): Promise<boolean> {
    const record = byRepo.get(repo);
    const appConfig = record && appConfigFor(record, modelUrl);
    if (!record?.mlc || !appConfig) return false;
    const webllm = await getRuntime();
    return webllm.hasModelInCache(record.mlc.modelId, appConfig).catch(() => false);
  }

  return {
    async list() {
      const models = new Map<string, CachedModel>();
      for (const stored of await storedGroups()) {
        const entry = models.get(stored.repo) ?? { repo: stored.repo, engine: 'web-llm', files: 0, bytes: 0, complete: false, exportable: false };
        entry.files += stored.modelKeys.length + stored.configKeys.length;
        entry.bytes += await groupBytes(stored);
        entry.complete = entry.complete === true || (await isComplete(stored.repo, stored.modelUrl));
        models.set(stored.repo, entry);
      }
      const libs = await withDatabase(WASM_DB, [], keysOf);
      await withDatabase(WASM_DB, undefined, async (db) => {
        for (const lib of libs) {
          const repo = repoOfLib.get(lib);
          if (repo === undefined) continue;
          const entry = models.get(repo) ?? { repo, engine: 'web-llm', files: 0, bytes: 0, complete: false, exportable: false };
          entry.files += 1;
          entry.bytes += sizeOf(await dataOf(db, lib));
          models.set(repo, entry);
        }
        return undefined;
      });
      return [...models.values()].sort((a, b) => a.repo.localeCompare(b.repo));
    },

    async delete(repo) {
      const record = byRepo.get(repo);
      const groups = (await storedGroups()).filter((stored) => stored.repo === repo);
      for (const stored of groups) {
        const appConfig = record && appConfigFor(record, stored.modelUrl);
        // web-llm's delete reads tensor-cache.json through its cache and would fetch it when it is missing.
        const hasIndex = stored.modelKeys.includes(new URL(TENSOR_INDEX, stored.modelUrl).href);
        if (record?.mlc && appConfig && hasIndex) {
          const webllm = await getRuntime();
          await webllm.deleteModelAllInfoInCache(record.mlc.modelId, appConfig);
        }
      }
      // What web-llm's delete leaves (tensor-cache.json itself, files of a cut download): remove by key.
      const left = (await storedGroups()).filter((stored) => stored.repo === repo);
      await withDatabase(MODEL_DB, undefined, (db) => deleteKeys(db, left.flatMap((stored) => stored.modelKeys)));
      await withDatabase(CONFIG_DB, undefined, (db) => deleteKeys(db, left.flatMap((stored) => stored.configKeys)));
      if (record?.mlc) {
        const lib = record.mlc.modelLib;
        await withDatabase(WASM_DB, undefined, async (db) => deleteKeys(db, (await keysOf(db)).filter((key) => key === lib)));
      }
    },
  };
}
