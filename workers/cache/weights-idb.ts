// IndexedDB store for model weights. Files are keyed by `<repo>/<file>`, not by URL, so a model fetched from a
// classroom mirror is still found when the base URL points at the public host again. A file is one whole blob (what
// transformers.js hands over, and imports from disk) or a run of chunks written as a download streams in
// (weight-records.ts has the layout). Invariants: a file counts as cached only once whole, with its index record
// written and the stored bytes equal to the size recorded (and announced); an entry that fails that check is deleted
// on sight and fetched again. A chunked file's record is written before its first chunk and after each one, so the
// record never claims a chunk that is not there, and a cut download keeps every chunk it finished. Each record keeps
// where the file came from (an origin, or files imported from disk) and which engine stored it. An import writes a
// whole folder or, on failure, removes what it wrote.
import { createStore, del, entries, get, set, promisifyRequest, type UseStore } from 'idb-keyval';
import type { CachedFile, CachedModel, SideloadSource } from '../../common/protocol';
import type { EngineKind } from '../../common/model-record';
import { originOf } from '../../common/model-urls';
import { engineError } from '../errors';
import {
  chunkKey, chunkRange, chunksMatch, engineOf, fileKey, isIndexRecord, isWhole,
  type ChunkedLayout, type FileValidators, type IndexRecord,
} from './weight-records';

export const SIDELOAD_SOURCE: SideloadSource = 'files on this device';

/** A file to store under `<repo>/<path>`. */
export interface ImportedFile {
  path: string;
  blob: Blob;
}

/** What a chunked download records when it (re)starts a file. */
export interface ChunkedFileStart extends FileValidators {
  source: string;
  engine: EngineKind;
}

/** What is stored so far of a file being downloaded in chunks. */
export interface PartialFileState extends FileValidators {
  bytes: number;
  chunks: number;
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
  /** One entry per repo; a repo with a partly downloaded file is `complete: false` and counts its stored bytes. */
  listModels(): Promise<CachedModel[]>;
  listFiles(repo: string): Promise<CachedFile[]>;
  /** Removes every file of the repo, whole or partial, chunks included. */
  deleteModel(repo: string): Promise<void>;
  /**
   * Stores every file (replacing files of the same name); if any write fails, the files this call wrote are
   * removed again and the error is rethrown, so a failed import leaves no half model behind.
   */
  importFiles(
    repo: string,
    files: ImportedFile[],
    onWritten?: (path: string, bytes: number) => void,
    engine?: EngineKind,
  ): Promise<void>;
  /** The whole stored files of one repo, by file path; partial files and corrupted entries are left out. */
  readFiles(repo: string): Promise<ImportedFile[]>;

  // Chunked writes, for downloads that stream into the store and resume (chunked-download.ts).
  /** The whole file as one Blob of its stored parts (disk-backed, not copied), or undefined when absent or partial. */
  readFile(repo: string, path: string): Promise<Blob | undefined>;
  /** What is stored of a partly downloaded file; undefined when none is (parts that disagree are removed). */
  partialFile(repo: string, path: string): Promise<PartialFileState | undefined>;
  /** Removes whatever is stored of the file and records it anew with no bytes. */
  startFile(repo: string, path: string, start: ChunkedFileStart): Promise<void>;
  /**
   * Appends the next bytes of a started file. On QuotaExceeded the chunk is removed again and the error names the
   * file and the sizes; the chunks before it stay.
   */
  appendChunk(repo: string, path: string, chunk: Blob): Promise<PartialFileState>;
  /** Marks a started file whole; IntegrityMismatch (and the file removed) when its bytes differ from its size. */
  completeFile(repo: string, path: string): Promise<void>;
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

function sizeText(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function partialStateOf(bytes: number, { chunks, size, etag, lastModified }: ChunkedLayout): PartialFileState {
  return { bytes, chunks, size, etag, lastModified };
}

export function createWeightStore(dbPrefix = 'qwen-chat'): WeightStore {
  // idb-keyval keeps one object store per database, so blobs and their index live in two databases.
  const blobs: UseStore = createStore(`${dbPrefix}-weights`, 'files');
  const index: UseStore = createStore(`${dbPrefix}-weight-index`, 'records');

  async function records(): Promise<IndexRecord[]> {
    const all = await entries<string, unknown>(index);
    return all.map(([, value]) => value).filter(isIndexRecord);
  }

  async function record(key: string): Promise<IndexRecord | undefined> {
    const value = await get<unknown>(key, index);
    return isIndexRecord(value) ? value : undefined;
  }

  /** Removes the stored parts (whole blob and chunks) of these keys, then their records, so no record outlives them. */
  async function forget(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await blobs('readwrite', (store) => {
      for (const key of keys) {
        store.delete(key);
        store.delete(chunkRange(key));
      }
      return promisifyRequest(store.transaction);
    });
    await index('readwrite', (store) => {
      for (const key of keys) store.delete(key);
      return promisifyRequest(store.transaction);
    });
  }

  async function dropCorrupted(key: string): Promise<undefined> {
    console.warn(`[weights-idb] dropping corrupted entry ${key}`);
    await forget([key]);
    return undefined;
  }

  async function readChunks(key: string): Promise<unknown[]> {
    return blobs('readonly', (store) => promisifyRequest(store.getAll(chunkRange(key))));
  }

  async function readWhole(key: string): Promise<Blob | undefined> {
    const stored = await record(key);
    if (!stored || !isWhole(stored)) return undefined;
    if (stored.chunked) {
      const parts = await readChunks(key);
      return chunksMatch(stored, parts) ? new Blob(parts) : dropCorrupted(key);
    }
    const blob = await get<unknown>(key, blobs);
    return blob instanceof Blob && blob.size === stored.bytes ? blob : dropCorrupted(key);
  }

  async function write(repo: string, file: string, response: Response, source: string): Promise<number> {
    const blob = await response.blob();
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared !== blob.size) {
      throw engineError('IntegrityMismatch', `${file}: ${blob.size} bytes, expected ${declared}`);
    }
    return writeBlob(repo, file, blob, source, 'transformers');
  }

  async function writeBlob(repo: string, file: string, blob: Blob, source: string, engine: EngineKind): Promise<number> {
    const key = fileKey(repo, file);
    try {
      await forget([key]); // an earlier partial download of the same file must not linger as chunks
      await set(key, blob, blobs);
      const stored: IndexRecord = { key, repo, file, bytes: blob.size, storedAt: Date.now(), source, engine };
      await set(key, stored, index);
    } catch (error) {
      await forget([key]).catch(() => undefined);
      if (isQuotaError(error)) throw engineError('QuotaExceeded', `${file}: ${blob.size} bytes`, error);
      throw error;
    }
    return blob.size;
  }

  async function startedRecord(repo: string, path: string): Promise<IndexRecord & { chunked: ChunkedLayout }> {
    const stored = await record(fileKey(repo, path));
    if (!stored?.chunked || stored.chunked.complete) throw new Error(`[weights-idb] ${path} was not started as a download`);
    return { ...stored, chunked: stored.chunked };
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
          const blob = await readWhole(fileKey(repo, file));
          if (!blob) return undefined;
          events.onHit?.(file);
          return new Response(blob, { headers: { 'content-length': String(blob.size) } });
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
      for (const stored of await records()) {
        const model: CachedModel = byRepo.get(stored.repo) ?? {
          repo: stored.repo, engine: engineOf(stored), files: 0, bytes: 0, sources: [], exportable: true,
        };
        model.files += 1;
        model.bytes += stored.bytes;
        if (stored.engine !== undefined) model.engine = stored.engine;
        if (!isWhole(stored)) {
          model.complete = false;
          model.exportable = false;
        }
        if (stored.source !== undefined && !model.sources?.includes(stored.source)) model.sources?.push(stored.source);
        byRepo.set(stored.repo, model);
      }
      return [...byRepo.values()].sort((a, b) => a.repo.localeCompare(b.repo));
    },

    async listFiles(repo) {
      return (await records())
        .filter((stored) => stored.repo === repo)
        .map((stored) => ({ url: stored.key, bytes: stored.bytes, storedAt: stored.storedAt }));
    },

    async deleteModel(repo) {
      await forget((await records()).filter((stored) => stored.repo === repo).map((stored) => stored.key));
    },

    async importFiles(repo, files, onWritten, engine = 'transformers') {
      const written: string[] = [];
      try {
        for (const { path, blob } of files) {
          written.push(fileKey(repo, path));
          const bytes = await writeBlob(repo, path, blob, SIDELOAD_SOURCE, engine);
          onWritten?.(path, bytes);
        }
      } catch (error) {
        await forget(written).catch(() => undefined);
        throw error;
      }
    },

    async readFiles(repo) {
      const found: ImportedFile[] = [];
      for (const stored of await records()) {
        if (stored.repo !== repo) continue;
        const blob = await readWhole(stored.key);
        if (blob) found.push({ path: stored.file, blob });
      }
      return found.sort((a, b) => a.path.localeCompare(b.path));
    },

    readFile: (repo, path) => readWhole(fileKey(repo, path)),

    async partialFile(repo, path) {
      const key = fileKey(repo, path);
      const stored = await record(key);
      if (!stored?.chunked || stored.chunked.complete) return undefined;
      if (!chunksMatch(stored, await readChunks(key))) return dropCorrupted(key);
      return partialStateOf(stored.bytes, stored.chunked);
    },

    async startFile(repo, path, { source, engine, ...validators }) {
      const key = fileKey(repo, path);
      await forget([key]);
      const fresh: IndexRecord = {
        key, repo, file: path, bytes: 0, storedAt: Date.now(), source, engine,
        chunked: { ...validators, chunks: 0, complete: false },
      };
      await set(key, fresh, index);
    },

    async appendChunk(repo, path, chunk) {
      const stored = await startedRecord(repo, path);
      const partKey = chunkKey(stored.key, stored.chunked.chunks);
      const layout: ChunkedLayout = { ...stored.chunked, chunks: stored.chunked.chunks + 1 };
      const next: IndexRecord = { ...stored, bytes: stored.bytes + chunk.size, storedAt: Date.now(), chunked: layout };
      try {
        await set(partKey, chunk, blobs);
        await set(stored.key, next, index);
      } catch (error) {
        await del(partKey, blobs).catch(() => undefined);
        if (!isQuotaError(error)) throw error;
        const { size } = stored.chunked;
        const needed = size === undefined ? '' : `, ${sizeText(size - stored.bytes)} more are needed`;
        const of = size === undefined ? '' : ` of ${sizeText(size)}`;
        const detail = `${path}: ${sizeText(stored.bytes)}${of} stored; the next ${sizeText(chunk.size)} did not fit${needed}`;
        throw engineError('QuotaExceeded', detail, error);
      }
      return partialStateOf(next.bytes, layout);
    },

    async completeFile(repo, path) {
      const stored = await startedRecord(repo, path);
      const { size } = stored.chunked;
      if (size !== undefined && size !== stored.bytes) {
        await forget([stored.key]);
        throw engineError('IntegrityMismatch', `${path}: ${stored.bytes} bytes, expected ${size}`);
      }
      const whole: IndexRecord = { ...stored, storedAt: Date.now(), chunked: { ...stored.chunked, size: stored.bytes, complete: true } };
      await set(stored.key, whole, index);
    },
  };
}
