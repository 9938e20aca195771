// Reads a GGUF file's header (metadata and tensor table) without reading its tensor data, from any ByteSource: a
// Blob (a stored or picked file) or HTTP Range requests, so a build can be judged before gigabytes are downloaded.
// What it answers: the metadata (arrays are summarised by type and length, never held: a Qwen vocabulary is 150,000
// strings), where the tensor data starts and where the last tensor ends, which tells a file cut short from a whole
// one. Invariant: it reads forwards only, in chunks, and never more than the header (plus one chunk) of a file.
// Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (versions 2 and 3; version 1 had 32-bit counts).

/** What is wrong with bytes that were meant to be a GGUF header. */
export type GgufProblem = 'not-gguf' | 'cut-short' | 'unsupported';

export class GgufFormatError extends Error {
  override readonly name = 'GgufFormatError';
  readonly problem: GgufProblem;

  constructor(problem: GgufProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** An array value, kept as its item type and length only. */
export interface GgufArraySummary {
  kind: 'array';
  itemType: number;
  length: number;
}

export type GgufValue = string | number | bigint | boolean | GgufArraySummary;

export interface GgufTensorInfo {
  name: string;
  /** Innermost first, as ggml lists them. */
  dims: number[];
  /** The ggml type id (0 F32, 1 F16, 8 Q8_0, 12 Q4_K, …). */
  type: number;
  /** From the start of the tensor data, in bytes. */
  offset: number;
}

export interface GgufHeader {
  version: number;
  metadata: ReadonlyMap<string, GgufValue>;
  tensors: readonly GgufTensorInfo[];
  /** Where the tensor data starts: the header's end, rounded up to `general.alignment`. */
  tensorDataStart: number;
  /** Where the last tensor's bytes end; undefined when a tensor has a type whose size this reader does not know. */
  tensorDataEnd: number | undefined;
}

/** Random access to the bytes of a file: at most `length` bytes from `offset` (fewer only at its end). */
export interface ByteSource {
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blobSource(blob: Blob): ByteSource {
  return { read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()) };
}

// ggml's block size and bytes per block, by type id (ggml.c type_traits). Types not listed leave the end unknown.
const TYPE_LAYOUT: ReadonlyMap<number, readonly [blockSize: number, blockBytes: number]> = new Map([
  [0, [1, 4]], [1, [1, 2]], [2, [32, 18]], [3, [32, 20]], [6, [32, 22]], [7, [32, 24]], [8, [32, 34]], [9, [32, 36]],
  [10, [256, 84]], [11, [256, 110]], [12, [256, 144]], [13, [256, 176]], [14, [256, 210]], [15, [256, 292]],
  [16, [256, 66]], [17, [256, 74]], [18, [256, 98]], [19, [256, 50]], [20, [32, 18]], [21, [256, 110]],
  [22, [256, 82]], [23, [256, 136]], [24, [1, 1]], [25, [1, 2]], [26, [1, 4]], [27, [1, 8]], [28, [1, 8]],
  [29, [256, 56]], [30, [1, 2]], [34, [256, 54]], [35, [256, 66]], [39, [32, 17]],
]);

/** Bytes of one tensor of this type and shape, or undefined for a type this reader does not know. */
export function tensorBytes(type: number, dims: readonly number[]): number | undefined {
  const layout = TYPE_LAYOUT.get(type);
  if (!layout) return undefined;
  const [blockSize, blockBytes] = layout;
  const elements = dims.reduce((product, dim) => product * dim, 1);
  return Math.ceil(elements / blockSize) * blockBytes;
}

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const DEFAULT_ALIGNMENT = 32;
// The first read is small (a tiny file's whole header, a real one's architecture); each further read doubles, so a
// real Qwen header (a few MB of vocabulary) takes a handful of reads, not hundreds.
const FIRST_CHUNK_BYTES = 1 << 16;
const MAX_CHUNK_BYTES = 1 << 23;
// Sanity bounds: bytes that are not GGUF fail here instead of asking for a 2^60-byte string.
const MAX_STRING_BYTES = 1 << 26;
const MAX_ENTRIES = 1 << 24;
const MAX_DIMS = 8;

const TYPE = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 } as const;
const FIXED_SIZE: ReadonlyMap<number, number> = new Map([
  [TYPE.U8, 1], [TYPE.I8, 1], [TYPE.U16, 2], [TYPE.I16, 2], [TYPE.U32, 4], [TYPE.I32, 4], [TYPE.F32, 4],
  [TYPE.BOOL, 1], [TYPE.U64, 8], [TYPE.I64, 8], [TYPE.F64, 8],
]);

/** A forward-only reader over a ByteSource that fetches a chunk at a time. */
class Cursor {
  readonly #source: ByteSource;
  #buffer = new Uint8Array(0);
  #bufferStart = 0;
  #position = 0;
  #chunk = FIRST_CHUNK_BYTES;

  constructor(source: ByteSource) {
    this.#source = source;
  }

  get position(): number {
    return this.#position;
  }

  /** The next `length` bytes, as a view valid until the next call. */
  async take(length: number): Promise<DataView> {
    const end = this.#position + length;
    if (end > this.#bufferStart + this.#buffer.length) await this.#fill(length);
    const at = this.#position - this.#bufferStart;
    this.#position = end;
    return new DataView(this.#buffer.buffer, this.#buffer.byteOffset + at, length);
  }

  async #fill(length: number): Promise<void> {
    const kept = this.#buffer.subarray(this.#position - this.#bufferStart);
    const want = Math.max(length - kept.length, this.#chunk);
    this.#chunk = Math.min(this.#chunk * 2, MAX_CHUNK_BYTES);
    const more = await this.#source.read(this.#bufferStart + this.#buffer.length, want);
    const joined = new Uint8Array(kept.length + more.length);
    joined.set(kept);
    joined.set(more, kept.length);
    this.#buffer = joined;
    this.#bufferStart = this.#position;
    if (joined.length < length) throw new GgufFormatError('cut-short', 'ends inside its GGUF header');
  }

  async u32(): Promise<number> {
    return (await this.take(4)).getUint32(0, true);
  }

  /** A u64 as a number; counts and offsets beyond 2^53 cannot be real. */
  async u64(): Promise<number> {
    const value = (await this.take(8)).getBigUint64(0, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError('not-gguf', 'is not a GGUF file (a size in its header is impossible)');
    return Number(value);
  }

  async string(): Promise<string> {
    const length = await this.u64();
    if (length > MAX_STRING_BYTES) throw new GgufFormatError('not-gguf', 'is not a GGUF file (a string in its header is impossibly long)');
    const view = await this.take(length);
    return new TextDecoder().decode(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }

  async skip(length: number): Promise<void> {
    let left = length;
    while (left > 0) {
      const step = Math.min(left, MAX_CHUNK_BYTES);
      await this.take(step);
      left -= step;
    }
  }
}

async function readScalar(cursor: Cursor, type: number): Promise<string | number | bigint | boolean> {
  switch (type) {
    case TYPE.STRING:
      return cursor.string();
    case TYPE.BOOL:
      return (await cursor.take(1)).getUint8(0) !== 0;
    case TYPE.U8:
      return (await cursor.take(1)).getUint8(0);
    case TYPE.I8:
      return (await cursor.take(1)).getInt8(0);
    case TYPE.U16:
      return (await cursor.take(2)).getUint16(0, true);
    case TYPE.I16:
      return (await cursor.take(2)).getInt16(0, true);
    case TYPE.U32:
      return cursor.u32();
    case TYPE.I32:
      return (await cursor.take(4)).getInt32(0, true);
    case TYPE.F32:
      return (await cursor.take(4)).getFloat32(0, true);
    case TYPE.U64:
      return (await cursor.take(8)).getBigUint64(0, true);
    case TYPE.I64:
      return (await cursor.take(8)).getBigInt64(0, true);
    case TYPE.F64:
      return (await cursor.take(8)).getFloat64(0, true);
    default:
      throw new GgufFormatError('not-gguf', `is not a GGUF file (unknown value type ${type})`);
  }
}

async function readValue(cursor: Cursor, type: number): Promise<GgufValue> {
  if (type !== TYPE.ARRAY) return readScalar(cursor, type);
  const itemType = await cursor.u32();
  const length = await cursor.u64();
  if (itemType === TYPE.ARRAY) throw new GgufFormatError('unsupported', 'has nested arrays in its metadata');
  const fixed = FIXED_SIZE.get(itemType);
  if (fixed !== undefined) await cursor.skip(fixed * length);
  else if (itemType === TYPE.STRING) for (let index = 0; index < length; index += 1) await cursor.skip(await cursor.u64());
  else throw new GgufFormatError('not-gguf', `is not a GGUF file (unknown array type ${itemType})`);
  return { kind: 'array', itemType, length };
}

function count(value: number, what: string): number {
  if (value > MAX_ENTRIES) throw new GgufFormatError('not-gguf', `is not a GGUF file (${value} ${what})`);
  return value;
}

export interface ReadOptions {
  /** Stop after the metadata (no tensor table): enough to tell the architecture. */
  metadataOnly?: boolean;
  /** Stop as soon as this key has been read (implies metadataOnly): `general.architecture` comes first in practice. */
  stopAfterKey?: string;
}

/** Reads the header. Throws GgufFormatError for bytes that are not GGUF, a header cut short, or GGUF version 1. */
export async function readGgufHeader(source: ByteSource, options: ReadOptions = {}): Promise<GgufHeader> {
  const cursor = new Cursor(source);
  let magic: number;
  try {
    magic = await cursor.u32();
  } catch (error) {
    if (error instanceof GgufFormatError) throw new GgufFormatError('not-gguf', 'is not a GGUF file (it is empty or tiny)');
    throw error;
  }
  if (magic !== GGUF_MAGIC) throw new GgufFormatError('not-gguf', 'is not a GGUF file (it does not start with "GGUF")');
  const version = await cursor.u32();
  if (version !== 2 && version !== 3) throw new GgufFormatError('unsupported', `is GGUF version ${version}; llama.cpp reads versions 2 and 3`);
  const tensorCount = count(await cursor.u64(), 'tensors');
  const keyCount = count(await cursor.u64(), 'metadata keys');
  const metadata = new Map<string, GgufValue>();
  for (let index = 0; index < keyCount; index += 1) {
    const key = await cursor.string();
    metadata.set(key, await readValue(cursor, await cursor.u32()));
    if (key === options.stopAfterKey) break;
  }
  const tensors: GgufTensorInfo[] = [];
  if (options.metadataOnly || options.stopAfterKey !== undefined) return { version, metadata, tensors, tensorDataStart: 0, tensorDataEnd: undefined };

  for (let index = 0; index < tensorCount; index += 1) {
    const name = await cursor.string();
    const dimCount = await cursor.u32();
    if (dimCount > MAX_DIMS) throw new GgufFormatError('not-gguf', `is not a GGUF file (tensor ${name} has ${dimCount} dimensions)`);
    const dims: number[] = [];
    for (let dim = 0; dim < dimCount; dim += 1) dims.push(await cursor.u64());
    const type = await cursor.u32();
    const offset = await cursor.u64();
    tensors.push({ name, dims, type, offset });
  }
  const alignmentValue = metadata.get('general.alignment');
  const alignment = typeof alignmentValue === 'number' && alignmentValue > 0 ? alignmentValue : DEFAULT_ALIGNMENT;
  const tensorDataStart = Math.ceil(cursor.position / alignment) * alignment;
  let tensorDataEnd: number | undefined = tensorDataStart;
  for (const tensor of tensors) {
    const bytes = tensorBytes(tensor.type, tensor.dims);
    if (bytes === undefined) {
      tensorDataEnd = undefined;
      break;
    }
    tensorDataEnd = Math.max(tensorDataEnd, tensorDataStart + tensor.offset + bytes);
  }
  return { version, metadata, tensors, tensorDataStart, tensorDataEnd };
}

/** A metadata string, or undefined when the key is missing or not a string. */
export function metadataString(header: Pick<GgufHeader, 'metadata'>, key: string): string | undefined {
  const value = header.metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** A metadata integer (any integer type), or undefined when the key is missing or not an integer. */
export function metadataInteger(header: Pick<GgufHeader, 'metadata'>, key: string): number | undefined {
  const value = header.metadata.get(key);
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
