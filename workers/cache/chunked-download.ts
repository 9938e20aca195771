// Fetches a model's files into the IndexedDB weight store as they stream, chunk by chunk, so a multi-GB GGUF is
// never held whole in memory and a cut download resumes where it stopped. Invariants: a file is handed back only
// when whole in the store; a resume asks for `Range: bytes=<stored>-` and splices only onto the same version of the
// file (the 206's Content-Range start and total, and the ETag or else Last-Modified, must match what the first
// response announced), otherwise the file starts over. Bytes read before a cut are stored before the error goes
// out, so a cut costs only what sat unread in the fetch stream's queue (well under one chunk; up to about 1 MiB
// was seen in Chromium), or the one chunk whose write failed.
import type { EngineKind } from '../../common/model-record';
import type { LoadProgress } from '../../common/protocol';
import { originOf } from '../../common/model-urls';
import { engineError } from '../errors';
import { DownloadProgress } from './download-progress';
import type { FileValidators } from './weight-records';
import type { PartialFileState, WeightStore } from './weights-idb';

/**
 * 16 MiB per stored chunk: the download holds at most this much (plus the Blob made of it) in memory, a chunk
 * whose write fails costs at most this much fetched again, and a 6 GB file is about 380 IndexedDB writes, whose
 * per-write cost is small beside the seconds 16 MiB takes to arrive. 64 MiB would quadruple memory for no gain.
 */
export const CHUNK_BYTES = 16 * 2 ** 20;

export interface StoredFile {
  path: string;
  /** The stored chunks as one Blob: IndexedDB blobs are disk-backed, so this copies nothing into memory. */
  blob: Blob;
  /** It was whole in the store before this call. */
  fromCache: boolean;
}

export interface DownloadOptions {
  store: WeightStore;
  repo: string;
  engine: EngineKind;
  /** Absolute URL ending in `/` that the file paths are appended to. */
  filesBaseUrl: string;
  /** Paths inside the repo, in the order they are fetched and handed back. */
  files: readonly string[];
  /** Phase 'download' while any file is fetched, then 'cache-read'; bytes across all files. */
  onProgress: (progress: LoadProgress) => void;
  /** Stops the download (Aborted); what arrived stays stored for the next try. */
  signal?: AbortSignal;
  /** Bytes per stored chunk (tests use small ones). */
  chunkBytes?: number;
  /**
   * A file the server answers 404 for is left out of the result instead of failing the call: for callers that
   * guessed the file list and leave a file that is not there to the engine's own loader (transformers.js).
   */
  skipMissing?: boolean;
}

interface MissingFile {
  path: string;
  partial: PartialFileState | undefined;
}

/** Each file from the store when complete there, else fetched (resuming a partial one with Range) and stored. */
export async function fetchFilesIntoStore(options: DownloadOptions): Promise<StoredFile[]> {
  const { store, repo, files } = options;
  const progress = new DownloadProgress(files, options.onProgress);
  const cached = new Map<string, Blob>();
  const missing: MissingFile[] = [];
  for (const path of files) {
    const whole = await store.readFile(repo, path);
    if (whole) {
      cached.set(path, whole);
      progress.known(path, whole.size, whole.size);
      progress.fileDone();
    } else {
      const partial = await store.partialFile(repo, path);
      progress.known(path, partial?.bytes ?? 0, partial?.size);
      missing.push({ path, partial });
    }
  }
  if (missing.length > 1) await probeSizes(options, missing, progress);

  const absent = new Set<string>();
  for (const { path, partial } of missing) {
    if ((await downloadFile(options, path, partial, progress)) === 'absent') absent.add(path);
    progress.fileDone();
  }

  const result: StoredFile[] = [];
  for (const path of files) {
    if (absent.has(path)) continue;
    const blob = cached.get(path) ?? (await store.readFile(repo, path));
    if (!blob) throw engineError('IntegrityMismatch', `${path}: not whole in the store after its download`);
    result.push({ path, blob, fromCache: cached.has(path) });
    progress.read(path, blob.size);
  }
  return result;
}

/** A split GGUF's total is known only file by file; a HEAD each lets the bar start at the right total. */
async function probeSizes(options: DownloadOptions, missing: readonly MissingFile[], progress: DownloadProgress): Promise<void> {
  await Promise.all(
    missing
      .filter(({ partial }) => partial?.size === undefined)
      .map(async ({ path, partial }) => {
        const response = await fetch(fileUrl(options, path), { method: 'HEAD', cache: 'no-store', signal: options.signal }).catch(() => undefined);
        const size = response?.ok ? lengthOf(response) : undefined;
        if (size !== undefined) progress.known(path, partial?.bytes ?? 0, size);
      }),
  );
}

/** Fetches one file into the store; 'absent' when the server has no such file and the caller allows that. */
async function downloadFile(
  options: DownloadOptions, path: string, partial: PartialFileState | undefined, progress: DownloadProgress,
): Promise<'stored' | 'absent'> {
  const { store, repo, engine } = options;
  // Only a resume knows its size before the answer: a fresh file's first event waits for it, so the bar never
  // shows the files before it as the whole total.
  if (partial) progress.arrived(path, partial.bytes, true);
  let response: Response;
  if (partial && partial.bytes > 0) {
    response = await request(options, path, partial.bytes);
    const verdict = resumeVerdict(path, response, partial);
    if (verdict === 'resume') {
      await streamIntoStore(options, path, response, partial.bytes, partial.size, progress);
      return 'stored';
    }
    console.info(`[chunked-download] ${path}: starting over (${verdict === 'whole' ? 'the server sent the whole file' : 'the file changed on the server'})`);
    if (verdict === 'refetch') {
      await response.body?.cancel().catch(() => undefined);
      response = await request(options, path);
    }
  } else {
    response = await request(options, path);
  }
  if (response.status === 404 && options.skipMissing) {
    await response.body?.cancel().catch(() => undefined);
    return 'absent';
  }
  if (response.status !== 200) throw httpError(path, response);
  const validators = validatorsOf(response);
  await store.startFile(repo, path, { ...validators, source: originOf(options.filesBaseUrl), engine });
  progress.known(path, 0, validators.size);
  progress.arrived(path, 0, true);
  await streamIntoStore(options, path, response, 0, validators.size, progress);
  return 'stored';
}

/** Reads the body, storing a chunk whenever one is full, and the rest when the body ends or is cut. */
async function streamIntoStore(
  options: DownloadOptions, path: string, response: Response, startBytes: number, size: number | undefined, progress: DownloadProgress,
): Promise<void> {
  const { store, repo } = options;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const reader = response.body?.getReader();
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  let storedBytes = startBytes;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const chunk = new Blob(pending);
    pending = [];
    pendingBytes = 0;
    await store.appendChunk(repo, path, chunk);
    storedBytes += chunk.size;
    progress.arrived(path, storedBytes, true);
  };

  while (reader) {
    let read: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
    try {
      read = await reader.read();
    } catch (error) {
      await flush();
      throw cutError(options, path, storedBytes, size, error);
    }
    if (read.done) break;
    let bytes = read.value;
    try {
      while (pendingBytes + bytes.byteLength >= chunkBytes) {
        const take = chunkBytes - pendingBytes;
        pending.push(bytes.subarray(0, take));
        pendingBytes += take;
        bytes = bytes.subarray(take);
        await flush();
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
    if (bytes.byteLength > 0) {
      pending.push(bytes);
      pendingBytes += bytes.byteLength;
    }
    progress.arrived(path, storedBytes + pendingBytes, false);
  }
  await flush();
  // A connection closed cleanly before the announced size is a cut too.
  if (size !== undefined && storedBytes < size) throw cutError(options, path, storedBytes, size, new Error('the body ended early'));
  await store.completeFile(repo, path);
}

type ResumeVerdict = 'resume' | 'whole' | 'refetch';

/** Whether a ranged answer continues exactly the stored part of the same file. */
function resumeVerdict(path: string, response: Response, partial: PartialFileState): ResumeVerdict {
  if (response.status === 200) return 'whole';
  if (response.status === 416) return 'refetch';
  if (response.status !== 206) throw httpError(path, response);
  const range = parseContentRange(response.headers.get('content-range'));
  const length = lengthOf(response);
  // Content-Range is unreadable when a CORS server does not expose it: then the length must be what was left.
  const start = range?.start ?? (partial.size !== undefined && length === partial.size - partial.bytes ? partial.bytes : undefined);
  const total = range ? range.total : partial.size;
  if (start !== partial.bytes || total !== partial.size) return 'refetch';
  const { etag, lastModified } = validatorsOf(response);
  if (etag !== undefined && partial.etag !== undefined) return etag === partial.etag ? 'resume' : 'refetch';
  if (lastModified !== undefined && partial.lastModified !== undefined && lastModified !== partial.lastModified) return 'refetch';
  return 'resume';
}

function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const [, start = '', , total = '*'] = match;
  return { start: Number(start), total: total === '*' ? undefined : Number(total) };
}

function validatorsOf(response: Response): FileValidators {
  const range = parseContentRange(response.headers.get('content-range'));
  const size = response.status === 206 ? range?.total : lengthOf(response);
  return {
    size,
    etag: response.headers.get('etag') ?? undefined,
    lastModified: response.headers.get('last-modified') ?? undefined,
  };
}

function lengthOf(response: Response): number | undefined {
  const header = response.headers.get('content-length');
  const length = header === null ? Number.NaN : Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

function fileUrl(options: DownloadOptions, path: string): string {
  return `${options.filesBaseUrl}${path}`;
}

async function request(options: DownloadOptions, path: string, fromByte?: number): Promise<Response> {
  const headers: HeadersInit = fromByte === undefined ? {} : { Range: `bytes=${fromByte}-` };
  try {
    // no-store: the file goes to IndexedDB; the HTTP cache keeping a second copy of gigabytes would only cost disk.
    return await fetch(fileUrl(options, path), { headers, cache: 'no-store', signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw engineError('Aborted', path, error);
    throw engineError('DownloadFailed', `${path}: ${describe(error)}`, error);
  }
}

function httpError(path: string, response: Response): Error {
  return engineError('DownloadFailed', `${path}: HTTP ${response.status} ${response.statusText}`.trim());
}

function cutError(options: DownloadOptions, path: string, stored: number, size: number | undefined, cause: unknown): Error {
  if (options.signal?.aborted) return engineError('Aborted', path, cause);
  const of = size === undefined ? '' : ` of ${size}`;
  return engineError('DownloadFailed', `${path}: ${stored}${of} bytes stored, the next try resumes there; ${describe(cause)}`, cause);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
