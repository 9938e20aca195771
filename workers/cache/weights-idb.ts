// IndexedDB store for model weights. Files are keyed by `<repo>/<file>`, not by URL, so a model fetched from a
// classroom mirror is still found when the base URL points at the public host again. A file is one whole blob (what
// transformers.js hands over, and imports from disk) or a run of chunks written as a download streams in
// (weight-records.ts has the layout). Invariants: a file counts as cached only once whole, with its index record
// written and the stored bytes equal to the size recorded (and announced); an entry that fails that check is deleted
// on sight and fetched again. Every write hashes what it stores (weight-hash.ts) and every read checks the hashes,
// so flipped bytes of the same size are caught too; records from before hashes are checked by size only. A chunked file's record is written before its first chunk and after each one, so the
// record never claims a chunk that is not there, and a cut download keeps every chunk it finished. Each record keeps
// where the file came from (an origin, or files imported from disk) and which engine stored it. An import writes a
// whole folder or, on failure, removes what it wrote.
import { createStore, del, entries, get, set, promisifyRequest, type UseStore } from 'idb-keyval';
import type { CachedFile, CachedModel, SideloadSource } from '../../common/protocol';
import type { EngineKind } from '../../common/model-record';
import { originOf } from '../../common/model-urls';
import { engineError } from '../errors';
import { checkable, chunkHashes, firstDamaged, hashOf, sliceHashesOf } from './weight-hash';
import { damagedOffline, reachable } from './weight-damage';
import { isQuotaError, quotaExceeded, sizeText } from './weight-quota';
import { createResponseCache, type CacheEvents, type ResponseCache } from './weight-response-cache';
import {
  chunkKey, chunkRange, chunksMatch, engineOf, fileKey, isIndexRecord, isWhole,
  type ChunkedLayout, type FileValidators, type IndexRecord,
} from './weight-records';

export type { CacheEvents, ResponseCache };

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
  /**
   * The whole file as one Blob of its stored parts (disk-backed, not copied), checked by size and hash; undefined
   * when absent, partial, or damaged (then removed, after `onDamaged`). A damaged file whose URL (known once
   * `forModel` named the repo's base URL) cannot be reached throws IntegrityMismatch naming it instead.
   */
  readFile(repo: string, path: string, onDamaged?: () => void): Promise<Blob | undefined>;
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

function partialStateOf(bytes: number, { chunks, size, etag, lastModified }: ChunkedLayout): PartialFileState {
  return { bytes, chunks, size, etag, lastModified };
}

export function createWeightStore(dbPrefix = 'qwen-chat'): WeightStore {
  // idb-keyval keeps one object store per database, so blobs and their index live in two databases.
  const blobs: UseStore = createStore(`${dbPrefix}-weights`, 'files');
  const index: UseStore = createStore(`${dbPrefix}-weight-index`, 'records');
  // Where each repo's files were last asked from (forModel): readFile probes there before naming a damaged file.
  const filePrefixes = new Map<string, string>();

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

  async function dropCorrupted(key: string, why: string, onDamaged?: () => void): Promise<undefined> {
    console.warn(`[weights-idb] dropping corrupted entry ${key}: ${why}`);
    await forget([key]);
    onDamaged?.();
    return undefined;
  }

  async function readChunks(key: string): Promise<unknown[]> {
    return blobs('readonly', (store) => promisifyRequest(store.getAll(chunkRange(key))));
  }

  /** The whole file, checked by size and (where recorded) by hash; a file that fails either is removed. */
  async function readWhole(key: string, onDamaged?: () => void): Promise<Blob | undefined> {
    const stored = await record(key);
    if (!stored || !isWhole(stored)) return undefined;
    if (stored.chunked) {
      const parts = await readChunks(key);
      if (!chunksMatch(stored, parts)) return dropCorrupted(key, 'chunks missing or cut short', onDamaged);
      const damaged = checkable(stored.chunked.hashes) ? await firstDamaged(parts, stored.chunked.hashes) : undefined;
      if (damaged !== undefined) return dropCorrupted(key, `chunk ${damaged} differs from its hash`, onDamaged);
      return new Blob(parts);
    }
    const blob = await get<unknown>(key, blobs);
    if (!(blob instanceof Blob) || blob.size !== stored.bytes) return dropCorrupted(key, 'size differs', onDamaged);
    const damaged = checkable(stored.hashes) ? await firstDamaged(blob, stored.hashes) : undefined;
    if (damaged !== undefined) return dropCorrupted(key, `slice ${damaged} differs from its hash`, onDamaged);
    return blob;
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
    const hashes = await sliceHashesOf(blob);
    try {
      await forget([key]); // an earlier partial download of the same file must not linger as chunks
      await set(key, blob, blobs);
      const stored: IndexRecord = { key, repo, file, bytes: blob.size, storedAt: Date.now(), source, engine, hashes };
      await set(key, stored, index);
    } catch (error) {
      // Half-written: nothing of the file is kept, so no entry claims bytes that are not there.
      await forget([key]).catch(() => undefined);
      if (isQuotaError(error)) throw await quotaExceeded(`${file} (${sizeText(blob.size)}) did not fit`, blob.size, 'nothing of this file was kept', error);
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
      filePrefixes.set(repo, remotePrefix);
      return createResponseCache({ remotePrefix, events, read: (file, onDamaged) => readWhole(fileKey(repo, file), onDamaged),
        write: (file, response) => write(repo, file, response, originOf(remotePrefix)) });
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

    async readFile(repo, path, onDamaged) {
      let damaged = false;
      const blob = await readWhole(fileKey(repo, path), () => {
        damaged = true;
        onDamaged?.();
      });
      // Removed as damaged: fetched again if its host answers, else named (a download would only say "failed to fetch").
      const prefix = filePrefixes.get(repo);
      if (!blob && damaged && prefix !== undefined && !(await reachable(`${prefix}${path}`))) throw damagedOffline(path, originOf(prefix));
      return blob;
    },

    async partialFile(repo, path) {
      const key = fileKey(repo, path);
      const stored = await record(key);
      if (!stored?.chunked || stored.chunked.complete) return undefined;
      // Sizes only: a damaged chunk is caught by its hash when the finished file is read, before any engine uses it.
      if (!chunksMatch(stored, await readChunks(key))) return dropCorrupted(key, 'chunks missing or cut short');
      return partialStateOf(stored.bytes, stored.chunked);
    },

    async startFile(repo, path, { source, engine, ...validators }) {
      const key = fileKey(repo, path);
      await forget([key]);
      const fresh: IndexRecord = {
        key, repo, file: path, bytes: 0, storedAt: Date.now(), source, engine,
        chunked: { ...validators, chunks: 0, complete: false, hashes: chunkHashes([]) },
      };
      await set(key, fresh, index);
    },

    async appendChunk(repo, path, chunk) {
      const stored = await startedRecord(repo, path);
      const partKey = chunkKey(stored.key, stored.chunked.chunks);
      // A download started by an older version has no hashes of its first chunks: it stays size-checked only.
      const earlier = stored.chunked.hashes ?? (stored.chunked.chunks === 0 ? chunkHashes([]) : undefined);
      const hashes = checkable(earlier) ? chunkHashes([...earlier.values, await hashOf(chunk)]) : undefined;
      const layout: ChunkedLayout = { ...stored.chunked, chunks: stored.chunked.chunks + 1, hashes };
      const next: IndexRecord = { ...stored, bytes: stored.bytes + chunk.size, storedAt: Date.now(), chunked: layout };
      try {
        await set(partKey, chunk, blobs);
        await set(stored.key, next, index);
      } catch (error) {
        await del(partKey, blobs).catch(() => undefined);
        if (!isQuotaError(error)) throw error;
        // Nothing of the file fits: no record is left to list a 0-byte partial model; a started one stays, to resume.
        if (stored.bytes === 0) await forget([stored.key]).catch(() => undefined);
        const { size } = stored.chunked;
        const of = size === undefined ? '' : ` of ${sizeText(size)}`;
        const kept = stored.bytes === 0 ? 'nothing of it was kept'
          : `${sizeText(stored.bytes)}${of} stay stored (listed as partial in Storage), and Retry resumes there`;
        const refused = `${path}: the next ${sizeText(chunk.size)} did not fit`;
        throw await quotaExceeded(refused, size === undefined ? chunk.size : size - stored.bytes, kept, error);
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
