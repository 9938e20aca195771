// The index records of the IndexedDB weight store, and how a file's stored parts are keyed. A file is either one
// blob under its key `<repo>/<file>` (what transformers.js hands over whole, and imports from disk), or chunks under
// `[<repo>/<file>, 0…n-1]` (downloads streamed into the store, which resume). Array keys sort apart from string
// keys in IndexedDB, so the two layouts never collide, and one key range holds every chunk of a file. Records
// written since integrity checks came carry piece hashes (weight-hash.ts): per slice for a whole blob, per chunk for
// a chunked file; older records have none and are checked by size only.
import type { EngineKind } from '../../common/model-record';
import type { PieceHashes } from './weight-hash';

/** What a server announced for a file when its download started: a resumed download must match it. */
export interface FileValidators {
  /** The whole file's size (Content-Length of a 200, the total of a 206's Content-Range); absent when not sent. */
  size?: number;
  etag?: string;
  lastModified?: string;
}

/** The state of a file stored in chunks. */
export interface ChunkedLayout extends FileValidators {
  chunks: number;
  /** Every byte arrived and their count equals `size` (when announced). */
  complete: boolean;
  /** The hash of each chunk, in order; absent on files started by an older version (checked by size only). */
  hashes?: PieceHashes;
}

export interface IndexRecord {
  key: string;
  repo: string;
  file: string;
  /** Bytes stored so far: the whole file unless `chunked.complete` is false. */
  bytes: number;
  storedAt: number;
  /** Origin of the model base URL it was downloaded from, or the sideload marker; absent on older records. */
  source?: string;
  /** The engine that stored it; absent on older records, which are all transformers.js files. */
  engine?: EngineKind;
  /** Present when the file is stored as chunks; absent for one whole blob. */
  chunked?: ChunkedLayout;
  /** Slice hashes of a whole blob; absent on chunked files and on blobs stored by an older version. */
  hashes?: PieceHashes;
}

export function fileKey(repo: string, file: string): string {
  return `${repo}/${file}`;
}

export function chunkKey(key: string, index: number): [string, number] {
  return [key, index];
}

/** Every chunk of one file, in chunk order. */
export function chunkRange(key: string): IDBKeyRange {
  return IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]);
}

export function engineOf(record: IndexRecord): EngineKind {
  return record.engine ?? 'transformers';
}

/** A stored file counts as cached only when whole: a chunked one only once complete. */
export function isWhole(record: IndexRecord): boolean {
  return record.chunked === undefined || record.chunked.complete;
}

function isOptional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

function isPieceHashes(value: unknown): value is PieceHashes {
  if (typeof value !== 'object' || value === null) return false;
  const sliceBytes = 'sliceBytes' in value ? value.sliceBytes : undefined;
  return (
    'algorithm' in value && typeof value.algorithm === 'string' &&
    (sliceBytes === undefined || (typeof sliceBytes === 'number' && sliceBytes > 0)) &&
    'values' in value && Array.isArray(value.values) && value.values.every((hash) => typeof hash === 'string')
  );
}

function isOptionalHashes(value: object): boolean {
  return !('hashes' in value) || value.hashes === undefined || isPieceHashes(value.hashes);
}

function isChunkedLayout(value: unknown): value is ChunkedLayout {
  if (typeof value !== 'object' || value === null) return false;
  return (
    'chunks' in value && typeof value.chunks === 'number' &&
    'complete' in value && typeof value.complete === 'boolean' &&
    isOptional('size' in value ? value.size : undefined, 'number') &&
    isOptional('etag' in value ? value.etag : undefined, 'string') &&
    isOptional('lastModified' in value ? value.lastModified : undefined, 'string') &&
    isOptionalHashes(value)
  );
}

const ENGINES: readonly unknown[] = ['transformers', 'web-llm', 'llama-cpp'] satisfies EngineKind[];

export function isIndexRecord(value: unknown): value is IndexRecord {
  if (typeof value !== 'object' || value === null) return false;
  return (
    'key' in value && typeof value.key === 'string' &&
    'repo' in value && typeof value.repo === 'string' &&
    'file' in value && typeof value.file === 'string' &&
    'bytes' in value && typeof value.bytes === 'number' &&
    'storedAt' in value && typeof value.storedAt === 'number' &&
    (!('engine' in value) || value.engine === undefined || ENGINES.includes(value.engine)) &&
    (!('chunked' in value) || value.chunked === undefined || isChunkedLayout(value.chunked)) &&
    isOptionalHashes(value)
  );
}

/** The chunks read back agree with the record: as many as it says, and their sizes add up to its bytes. */
export function chunksMatch(record: IndexRecord, parts: readonly unknown[]): parts is Blob[] {
  if (record.chunked === undefined || parts.length !== record.chunked.chunks) return false;
  let total = 0;
  for (const part of parts) {
    if (!(part instanceof Blob)) return false;
    total += part.size;
  }
  const { size, complete } = record.chunked;
  return total === record.bytes && (!complete || size === undefined || size === total);
}
