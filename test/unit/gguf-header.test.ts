// The GGUF header reader, on files written by the test fixtures' own GGUF writer (an independent implementation of
// the format): metadata values and array summaries, the tensor table and where the tensor data ends, a file cut
// short in its data or in its header, bytes that are not GGUF, version 1, the early stop, and that a header of a
// real vocabulary's size is read in a handful of reads, not one per string.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GgufFormatError,
  blobSource,
  metadataInteger,
  metadataString,
  readGgufHeader,
  tensorBytes,
  type ByteSource,
} from '../../workers/engines/gguf-header';
import { GGML_TYPE_IDS, gguf, writeGguf, type GgufModel, type GgufTensor } from '../fixtures/gguf-writer';
import { TINY_GGUF_DIR, TINY_GGUF_FILE, ensureTinyModels } from '../fixtures/paths';

let work: string;

function tensor(name: string, dims: number[], type: GgufTensor['type']): GgufTensor {
  const count = dims.reduce((product, dim) => product * dim, 1);
  return { name, dims, type, values: () => [Float32Array.from({ length: count }, (_, index) => (index % 7) / 7)] };
}

const VOCABULARY = Array.from({ length: 3000 }, (_, index) => `token-${index}`);

// The last tensor's data is a multiple of 32 bytes, so the file ends exactly where its tensors do.
const MODEL: GgufModel = {
  metadata: [
    ['general.architecture', gguf.string('qwen3')],
    ['general.name', gguf.string('reader test')],
    ['qwen3.context_length', gguf.u32(4096)],
    ['qwen3.rope.freq_base', gguf.f32(1_000_000)],
    ['tokenizer.ggml.tokens', gguf.strings(VOCABULARY)],
    ['tokenizer.ggml.token_type', gguf.i32s(VOCABULARY.map(() => 1))],
    ['tokenizer.ggml.add_bos_token', gguf.bool(false)],
    ['split.no', gguf.u16(0)],
    ['general.size', gguf.u64(123_456_789)],
  ],
  tensors: [tensor('token_embd.weight', [32, 5], 'Q8_0'), tensor('blk.0.attn_q.weight', [32, 3], 'Q4_0'), tensor('output_norm.weight', [8, 4], 'F32')],
};

async function written(name: string, model: GgufModel): Promise<{ file: string; bytes: Uint8Array<ArrayBuffer> }> {
  const file = path.join(work, name);
  await writeGguf(file, model);
  return { file, bytes: Uint8Array.from(await readFile(file)) };
}

/** A Blob source that counts its reads. */
function countingSource(bytes: Uint8Array<ArrayBuffer>): ByteSource & { reads: number } {
  const source = blobSource(new Blob([bytes]));
  const counted = { reads: 0, read: (offset: number, length: number) => ((counted.reads += 1), source.read(offset, length)) };
  return counted;
}

async function formatError(work: Promise<unknown>): Promise<GgufFormatError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof GgufFormatError) return error;
    throw error;
  }
  throw new Error('expected a GgufFormatError');
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'gguf-header-'));
  await ensureTinyModels();
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('readGgufHeader', () => {
  it('reads metadata (arrays by type and length) and the tensor table; the data ends where the file does', async () => {
    const { bytes } = await written('model.gguf', MODEL);
    const header = await readGgufHeader(blobSource(new Blob([bytes])));
    expect(header.version).toBe(3);
    expect(metadataString(header, 'general.architecture')).toBe('qwen3');
    expect(metadataInteger(header, 'qwen3.context_length')).toBe(4096);
    expect(metadataInteger(header, 'split.no')).toBe(0);
    expect(metadataInteger(header, 'general.size')).toBe(123_456_789);
    expect(header.metadata.get('qwen3.rope.freq_base')).toBe(1_000_000);
    expect(header.metadata.get('tokenizer.ggml.add_bos_token')).toBe(false);
    expect(header.metadata.get('tokenizer.ggml.tokens')).toEqual({ kind: 'array', itemType: 8, length: VOCABULARY.length });
    expect(header.metadata.get('tokenizer.ggml.token_type')).toEqual({ kind: 'array', itemType: 5, length: VOCABULARY.length });

    expect(header.tensors.map(({ name, dims, type }) => ({ name, dims, type }))).toEqual(
      MODEL.tensors.map(({ name, dims, type }) => ({ name, dims, type: GGML_TYPE_IDS[type] })),
    );
    expect(header.tensorDataStart % 32).toBe(0);
    expect(header.tensorDataEnd).toBe(bytes.length);
    // Q8_0 blocks are 32 values in 34 bytes: 5 rows of one block, padded to the next multiple of 32.
    expect(header.tensors[1]?.offset).toBe(Math.ceil((5 * 34) / 32) * 32);
  });

  it('reads the tiny Qwen3 GGUF fixture whole', async () => {
    const file = path.join(TINY_GGUF_DIR, TINY_GGUF_FILE);
    const header = await readGgufHeader(blobSource(new Blob([await readFile(file)])));
    expect(metadataString(header, 'general.architecture')).toBe('qwen3');
    expect(header.tensors.length).toBeGreaterThan(10);
    // The writer pads the file to the alignment after the last tensor.
    const size = (await stat(file)).size;
    expect(header.tensorDataEnd ?? 0).toBeLessThanOrEqual(size);
    expect(header.tensorDataEnd ?? 0).toBeGreaterThan(size - 32);
  });

  it('tells a file cut inside its tensor data by the data end beyond its size', async () => {
    const { bytes } = await written('cut-data.gguf', MODEL);
    const cut = bytes.subarray(0, bytes.length - 40);
    const header = await readGgufHeader(blobSource(new Blob([cut])));
    expect(header.tensorDataEnd).toBe(bytes.length);
    expect(header.tensorDataEnd ?? 0).toBeGreaterThan(cut.length);
  });

  it('names a header cut short, bytes that are not GGUF, and GGUF version 1', async () => {
    const { bytes } = await written('cut-header.gguf', MODEL);
    const cut = await formatError(readGgufHeader(blobSource(new Blob([bytes.subarray(0, 2000)]))));
    expect(cut.problem).toBe('cut-short');

    const onnx = await formatError(readGgufHeader(blobSource(new Blob([Uint8Array.of(0x08, 0x07, 0x12, 0x04, 1, 2, 3, 4)]))));
    expect(onnx.problem).toBe('not-gguf');
    expect((await formatError(readGgufHeader(blobSource(new Blob([]))))).problem).toBe('not-gguf');
    expect((await formatError(readGgufHeader(blobSource(new Blob(['{"model_type": "qwen3"}']))))).problem).toBe('not-gguf');

    const version1 = bytes.slice(0, 64);
    new DataView(version1.buffer).setUint32(4, 1, true);
    const old = await formatError(readGgufHeader(blobSource(new Blob([version1]))));
    expect(old.problem).toBe('unsupported');
    expect(old.message).toContain('version 1');
  });

  it('refuses impossible counts and lengths instead of reading on', async () => {
    const { bytes } = await written('huge-count.gguf', MODEL);
    const broken = bytes.slice();
    // The first key's length field, set to 2^40: no GGUF string is that long.
    new DataView(broken.buffer).setBigUint64(24, 2n ** 40n, true);
    expect((await formatError(readGgufHeader(blobSource(new Blob([broken]))))).problem).toBe('not-gguf');
  });

  it('stops after a key when asked, without the tensor table', async () => {
    const { bytes } = await written('early.gguf', MODEL);
    const source = countingSource(bytes);
    const header = await readGgufHeader(source, { stopAfterKey: 'general.architecture' });
    expect([...header.metadata.keys()]).toEqual(['general.architecture']);
    expect(header.tensors).toEqual([]);
    expect(source.reads).toBe(1);
  });

  it('reads a header with a large vocabulary in a few growing reads', async () => {
    const big: GgufModel = {
      metadata: [
        ['general.architecture', gguf.string('qwen3')],
        ['tokenizer.ggml.tokens', gguf.strings(Array.from({ length: 150_000 }, (_, index) => `Ġpiece${index}`))],
      ],
      tensors: [tensor('output_norm.weight', [8, 4], 'F32')],
    };
    const { bytes } = await written('big-vocab.gguf', big);
    expect(bytes.length).toBeGreaterThan(2_000_000);
    const source = countingSource(bytes);
    const header = await readGgufHeader(source);
    expect(header.tensorDataEnd).toBe(bytes.length);
    expect(source.reads).toBeLessThan(12);
  });
});

describe('tensorBytes', () => {
  it('follows ggml block layouts, and knows when it does not know a type', () => {
    expect(tensorBytes(0, [8, 4])).toBe(8 * 4 * 4);
    expect(tensorBytes(1, [8, 4])).toBe(8 * 4 * 2);
    expect(tensorBytes(8, [64, 3])).toBe(2 * 3 * 34);
    expect(tensorBytes(2, [64, 3])).toBe(2 * 3 * 18);
    expect(tensorBytes(12, [512, 3])).toBe(2 * 3 * 144);
    expect(tensorBytes(14, [256, 2])).toBe(2 * 210);
    expect(tensorBytes(999, [8])).toBeUndefined();
  });
});
