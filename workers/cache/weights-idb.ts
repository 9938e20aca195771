// IndexedDB store for model weights. Files are keyed by `<repo>/<file>`, not by URL, so a model fetched from a
// classroom mirror is still found when the base URL points at the public host again. Invariants: a file counts as
// cached only once its blob and its index record are both written and the blob's size equals the size recorded
// (and the Content-Length it arrived with); an entry that fails that check is deleted on sight and fetched again.
// Each record also keeps where the file came from (the origin it was downloaded from, or files imported from disk),
// so the app can say so per model. An import writes a whole folder or, on failure, removes what it wrote.
import { createStore, del, entries, get, set, delMany, type UseStore } from 'idb-keyval';
import type { CachedFile, CachedModel, SideloadSource } from '../../common/protocol';
import { originOf } from '../../common/model-urls';
import { engineError } from '../errors';

interface IndexRecord {
  key: string;
  repo: string;
  file: string;
  bytes: number;
  storedAt: number;
  /** Origin of the model base URL it was downloaded from, or the sideload marker; absent on older records. */
  source?: string;
}

export const SIDELOAD_SOURCE: SideloadSource = 'files on this device';

/** A file to store under `<repo>/<path>`. */
export interface ImportedFile {
  path: string;
  blob: Blob;
}

function isIndexRecord(value: unknown): value is IndexRecord {
  if (typeof value !== 'object' || value === null) return false;
  return (
    'key' in value && typeof value.key === 'string' &&
    'repo' in value && typeof value.repo === 'string' &&
    'file' in value && typeof value.file === 'string' &&
    'bytes' in value && typeof value.bytes === 'number' &&
    'storedAt' in value && typeof value.storedAt === 'number'
  );
}

/** The subset of the Cache API that transformers.js's `env.customCache` calls. */
export interface ResponseCache {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
}

export interface CacheEvents {
  onHit?(file: string): void;
  onStored?(file: string, bytes: number): void;
  onStoreFailed?(file: string, error: Error): void;
}

export interface WeightStore {
  /** A Cache-API view for one model: URLs under `remotePrefix` map to `<repo>/<file>` keys; others miss. */
  forModel(repo: string, remotePrefix: string, events?: CacheEvents): ResponseCache;
  listModels(): Promise<CachedModel[]>;
  listFiles(repo: string): Promise<CachedFile[]>;
  deleteModel(repo: string): Promise<void>;
  /**
   * Stores every file (replacing files of the same name); if any write fails, the files this call wrote are
   * removed again and the error is rethrown, so a failed import leaves no half model behind.
   */
  importFiles(repo: string, files: ImportedFile[], onWritten?: (path: string, bytes: number) => void): Promise<void>;
  /** The stored blobs of one repo, by file path; a corrupted entry is dropped and left out. */
  readFiles(repo: string): Promise<ImportedFile[]>;
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

export function createWeightStore(dbPrefix = 'qwen-chat'): WeightStore {
  // idb-keyval keeps one object store per database, so blobs and their index live in two databases.
  const blobs: UseStore = createStore(`${dbPrefix}-weights`, 'files');
  const index: UseStore = createStore(`${dbPrefix}-weight-index`, 'records');

  async function records(): Promise<IndexRecord[]> {
    const all = await entries<string, unknown>(index);
    return all.map(([, value]) => value).filter(isIndexRecord);
  }

  async function forget(key: string): Promise<void> {
    await del(key, index);
    await del(key, blobs);
  }

  async function read(key: string): Promise<Response | undefined> {
    const record = await get<unknown>(key, index);
    if (!isIndexRecord(record)) return undefined;
    const blob = await get<unknown>(key, blobs);
    if (!(blob instanceof Blob) || blob.size !== record.bytes) {
      console.warn(`[weights-idb] dropping corrupted entry ${key}`);
      await forget(key);
      return undefined;
    }
    return new Response(blob, { headers: { 'content-length': String(blob.size) } });
  }

  async function write(repo: string, file: string, response: Response, source: string): Promise<number> {
    const blob = await response.blob();
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared !== blob.size) {
      throw engineError('IntegrityMismatch', `${file}: ${blob.size} bytes, expected ${declared}`);
    }
    return writeBlob(repo, file, blob, source);
  }

  async function writeBlob(repo: string, file: string, blob: Blob, source: string): Promise<number> {
    const key = `${repo}/${file}`;
    try {
      await set(key, blob, blobs);
      const record: IndexRecord = { key, repo, file, bytes: blob.size, storedAt: Date.now(), source };
      await set(key, record, index);
    } catch (error) {
      await forget(key).catch(() => undefined);
      if (isQuotaError(error)) throw engineError('QuotaExceeded', `${file}: ${blob.size} bytes`, error);
      throw error;
    }
    return blob.size;
  }

  return {
    forModel(repo, remotePrefix, events = {}) {
      const source = originOf(remotePrefix);
      const fileOf = (url: string): string | undefined =>
        url.startsWith(remotePrefix) ? url.slice(remotePrefix.length) : undefined;
      return {
        async match(url) {
          const file = fileOf(url);
          if (file === undefined) return undefined; // transformers.js needs undefined, not null, to keep storing.
          const response = await read(`${repo}/${file}`);
          if (response) events.onHit?.(file);
          return response;
        },
        async put(url, response) {
          const file = fileOf(url);
          if (file === undefined) return;
          try {
            const bytes = await write(repo, file, response, source);
            events.onStored?.(file, bytes);
          } catch (error) {
            const failure = error instanceof Error ? error : new Error(String(error));
            events.onStoreFailed?.(file, failure);
            throw failure;
          }
        },
      };
    },

    async listModels() {
      const byRepo = new Map<string, CachedModel>();
      for (const record of await records()) {
        const model = byRepo.get(record.repo) ?? { repo: record.repo, engine: 'transformers', files: 0, bytes: 0, sources: [], exportable: true };
        model.files += 1;
        model.bytes += record.bytes;
        if (record.source !== undefined && !model.sources?.includes(record.source)) model.sources?.push(record.source);
        byRepo.set(record.repo, model);
      }
      return [...byRepo.values()].sort((a, b) => a.repo.localeCompare(b.repo));
    },

    async listFiles(repo) {
      return (await records())
        .filter((record) => record.repo === repo)
        .map((record) => ({ url: record.key, bytes: record.bytes, storedAt: record.storedAt }));
    },

    async deleteModel(repo) {
      const keys = (await records()).filter((record) => record.repo === repo).map((record) => record.key);
      await delMany(keys, index);
      await delMany(keys, blobs);
    },

    async importFiles(repo, files, onWritten) {
      const written: string[] = [];
      try {
        for (const { path, blob } of files) {
          written.push(`${repo}/${path}`);
          const bytes = await writeBlob(repo, path, blob, SIDELOAD_SOURCE);
          onWritten?.(path, bytes);
        }
      } catch (error) {
        await delMany(written, index).catch(() => undefined);
        await delMany(written, blobs).catch(() => undefined);
        throw error;
      }
    },

    async readFiles(repo) {
      const found: ImportedFile[] = [];
      for (const record of await records()) {
        if (record.repo !== repo) continue;
        const response = await read(record.key);
        if (response) found.push({ path: record.file, blob: await response.blob() });
      }
      return found.sort((a, b) => a.path.localeCompare(b.path));
    },
  };
}
