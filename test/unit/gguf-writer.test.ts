// The GGUF writer, read back by a small GGUF parser of the test's own (not the writer's code): the header (magic,
// version, counts), typed metadata, tensor offsets on the alignment, the data of F32/F16/Q8_0/Q4_0 tensors
// decoded back to the values within each type's rounding, streamed chunks giving the same bytes as one chunk,
// gguf-split shards, and the tiny GGUF fixtures the llama.cpp tests load.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTE_TOKENIZER_VOCAB_SIZE, QWEN3_CHAT_TEMPLATE } from '../fixtures/byte-tokenizer';
import { gguf, splitFileName, writeGguf, writeSplitGguf, type GgufModel, type GgufTensor } from '../fixtures/gguf-writer';
import {
  TINY_GGUF_DIR,
  TINY_GGUF_FILE,
  TINY_LLAMA_GGUF_DIR,
  TINY_LLAMA_GGUF_FILE,
  TINY_SPLIT_GGUF_DIR,
  TINY_SPLIT_GGUF_FILES,
} from '../fixtures/paths';
import { uniformWeights } from '../fixtures/seeded-random';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'gguf-writer-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const ROW = 64;
const values = uniformWeights(7, 'test', ROW * 3, 2);
const tensor = (name: string, type: GgufTensor['type'], chunks: readonly Float32Array[] = [values]): GgufTensor => ({
  name,
  dims: [ROW, 3],
  type,
  values: () => chunks,
});

const model: GgufModel = {
  metadata: [
    ['general.architecture', gguf.string('qwen3')],
    ['test.count', gguf.u32(4096)],
    ['test.offset', gguf.i32(-5)],
    ['test.theta', gguf.f32(1_000_000)],
    ['test.flag', gguf.bool(true)],
    ['test.words', gguf.strings(['a', 'Grüße', ''])],
    ['test.ints', gguf.i32s([1, -2, 3])],
    ['test.floats', gguf.f32s([0.5, -1.25])],
  ],
  tensors: [tensor('a.f32', 'F32'), tensor('b.f16', 'F16'), tensor('c.q8', 'Q8_0'), tensor('d.q4', 'Q4_0')],
};

describe('writeGguf', () => {
  let parsed: ParsedGguf;
  let bytes: Buffer;

  beforeAll(async () => {
    const file = path.join(scratch, 'model.gguf');
    const size = await writeGguf(file, model);
    bytes = await readFile(file);
    expect(bytes.byteLength).toBe(size);
    parsed = parseGguf(bytes);
  });

  it('writes a GGUF v3 header with the tensor and metadata counts', () => {
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('GGUF');
    expect(parsed.version).toBe(3);
    expect(parsed.tensors.map((info) => info.name)).toEqual(['a.f32', 'b.f16', 'c.q8', 'd.q4']);
    expect([...parsed.metadata.keys()]).toEqual(model.metadata.map(([key]) => key));
  });

  it('reads back every metadata value with its type', () => {
    expect(parsed.metadata.get('general.architecture')).toEqual({ type: 8, value: 'qwen3' });
    expect(parsed.metadata.get('test.count')).toEqual({ type: 4, value: 4096 });
    expect(parsed.metadata.get('test.offset')).toEqual({ type: 5, value: -5 });
    expect(parsed.metadata.get('test.theta')).toEqual({ type: 6, value: 1_000_000 });
    expect(parsed.metadata.get('test.flag')).toEqual({ type: 7, value: true });
    expect(parsed.metadata.get('test.words')).toEqual({ type: 9, itemType: 8, value: ['a', 'Grüße', ''] });
    expect(parsed.metadata.get('test.ints')).toEqual({ type: 9, itemType: 5, value: [1, -2, 3] });
    expect(parsed.metadata.get('test.floats')).toEqual({ type: 9, itemType: 6, value: [0.5, -1.25] });
  });

  it('puts the data section and every tensor on 32-byte boundaries, back to back, up to the end of the file', () => {
    expect(parsed.dataStart % 32).toBe(0);
    let expectedOffset = 0;
    for (const info of parsed.tensors) {
      expect(info.offset % 32).toBe(0);
      expect(info.offset).toBe(expectedOffset);
      expectedOffset = Math.ceil((info.offset + dataBytes(info)) / 32) * 32;
    }
    expect(bytes.byteLength).toBe(parsed.dataStart + expectedOffset);
  });

  it('stores F32 exactly and F16 to half precision', () => {
    expect(decode(bytes, parsed, 'a.f32')).toEqual(Array.from(values));
    decode(bytes, parsed, 'b.f16').forEach((value, index) => {
      const original = values[index] ?? NaN;
      expect(Math.abs(value - original)).toBeLessThanOrEqual(Math.abs(original) * 2 ** -11 + 2 ** -24);
    });
  });

  it('round-trips Q8_0 blocks within half a step and Q4_0 blocks within one step', () => {
    const q8 = decode(bytes, parsed, 'c.q8');
    const q4 = decode(bytes, parsed, 'd.q4');
    for (let block = 0; block < values.length / 32; block += 1) {
      const original = values.subarray(block * 32, (block + 1) * 32);
      const maxAbs = Math.max(...Array.from(original, Math.abs));
      original.forEach((value, index) => {
        // The f16 scale adds at most 2^-11 of the value on top of the rounding of the level.
        expect(Math.abs((q8[block * 32 + index] ?? NaN) - value)).toBeLessThanOrEqual(maxAbs / 127 / 2 + maxAbs * 2 ** -10);
        expect(Math.abs((q4[block * 32 + index] ?? NaN) - value)).toBeLessThanOrEqual(maxAbs / 8 + maxAbs * 2 ** -10);
      });
    }
    // Q4_0's largest-magnitude value of each block maps to level 0 exactly (d = max / -8).
    const firstBlock = Array.from(values.subarray(0, 32));
    const extreme = firstBlock.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
    expect(q4[firstBlock.indexOf(extreme)]).toBeCloseTo(extreme, 2);
  });

  it('writes the same bytes from chunks of rows as from one chunk, and refuses chunks that are not whole rows', async () => {
    const chunked = path.join(scratch, 'chunked.gguf');
    const rows = [values.subarray(0, ROW), values.subarray(ROW)];
    await writeGguf(chunked, { ...model, tensors: model.tensors.map((t) => tensor(t.name, t.type, rows)) });
    expect((await readFile(chunked)).equals(bytes)).toBe(true);
    const ragged = tensor('ragged', 'Q8_0', [values.subarray(0, 32)]);
    await expect(writeGguf(path.join(scratch, 'ragged.gguf'), { metadata: [], tensors: [ragged] })).rejects.toThrow(/whole rows/);
    const short = tensor('short', 'F32', [values.subarray(0, ROW)]);
    await expect(writeGguf(path.join(scratch, 'short.gguf'), { metadata: [], tensors: [short] })).rejects.toThrow(/needs/);
  });
});

describe('writeSplitGguf', () => {
  it("writes gguf-split shards: llama.cpp's names, split keys in each, the metadata in the first only", async () => {
    const dir = path.join(scratch, 'split');
    await mkdir(dir);
    const names = await writeSplitGguf(dir, 'm', model, 3);
    expect(names).toEqual(['m-00001-of-00003.gguf', 'm-00002-of-00003.gguf', 'm-00003-of-00003.gguf']);
    expect(splitFileName('m', 0, 3)).toBe(names[0]);
    const shards = await Promise.all(names.map(async (name) => parseGguf(await readFile(path.join(dir, name)))));
    shards.forEach((shard, index) => {
      expect(shard.metadata.get('split.no')).toEqual({ type: 2, value: index });
      expect(shard.metadata.get('split.count')).toEqual({ type: 2, value: 3 });
      expect(shard.metadata.get('split.tensors.count')).toEqual({ type: 5, value: 4 });
      expect(shard.tensors.length).toBeGreaterThan(0);
      expect(shard.metadata.has('general.architecture')).toBe(index === 0);
    });
    expect(shards.flatMap((shard) => shard.tensors.map((info) => info.name))).toEqual(model.tensors.map((t) => t.name));
  });
});

describe('the tiny GGUF fixtures', () => {
  it('hold a Qwen3 with the byte-level vocabulary and chat template, its two shards, and a Llama', async () => {
    const qwen3 = parseGguf(await readFile(path.join(TINY_GGUF_DIR, TINY_GGUF_FILE)));
    expect(qwen3.metadata.get('general.architecture')?.value).toBe('qwen3');
    expect(qwen3.metadata.get('qwen3.context_length')?.value).toBe(4096);
    expect(qwen3.metadata.get('tokenizer.ggml.tokens')?.value).toHaveLength(BYTE_TOKENIZER_VOCAB_SIZE);
    expect(qwen3.metadata.get('tokenizer.chat_template')?.value).toBe(QWEN3_CHAT_TEMPLATE);
    expect(qwen3.tensors.map((info) => info.name)).toContain('output.weight');
    expect(qwen3.tensors.find((info) => info.name === 'blk.0.attn_q.weight')?.type).toBe(Q8_0);

    const shards = await Promise.all(TINY_SPLIT_GGUF_FILES.map(async (name) => parseGguf(await readFile(path.join(TINY_SPLIT_GGUF_DIR, name)))));
    expect(shards.map((shard) => shard.metadata.get('split.count')?.value)).toEqual([2, 2]);
    expect(shards.flatMap((shard) => shard.tensors.map((info) => info.name))).toEqual(qwen3.tensors.map((info) => info.name));

    const llama = parseGguf(await readFile(path.join(TINY_LLAMA_GGUF_DIR, TINY_LLAMA_GGUF_FILE)));
    expect(llama.metadata.get('general.architecture')?.value).toBe('llama');
    expect(llama.tensors.some((info) => info.name.includes('attn_q_norm'))).toBe(false);
  });
});

// ---- an independent GGUF reader --------------------------------------------------------------------------------

const F32 = 0;
const F16 = 1;
const Q4_0 = 2;
const Q8_0 = 8;

interface TensorInfo {
  readonly name: string;
  readonly dims: number[];
  readonly type: number;
  readonly offset: number;
}

interface ParsedValue {
  readonly type: number;
  readonly itemType?: number;
  readonly value: unknown;
}

interface ParsedGguf {
  readonly version: number;
  readonly metadata: Map<string, ParsedValue>;
  readonly tensors: TensorInfo[];
  readonly dataStart: number;
}

function parseGguf(bytes: Buffer): ParsedGguf {
  let at = 0;
  const take = <T>(size: number, read: (offset: number) => T): T => {
    const value = read(at);
    at += size;
    return value;
  };
  const u32 = (): number => take(4, (offset) => bytes.readUInt32LE(offset));
  const u64 = (): number => Number(take(8, (offset) => bytes.readBigUInt64LE(offset)));
  const string = (): string => {
    const length = u64();
    return take(length, (offset) => bytes.toString('utf8', offset, offset + length));
  };
  const scalar = (type: number): unknown => {
    const readers: Record<number, () => unknown> = {
      0: () => take(1, (o) => bytes.readUInt8(o)),
      2: () => take(2, (o) => bytes.readUInt16LE(o)),
      4: u32,
      5: () => take(4, (o) => bytes.readInt32LE(o)),
      6: () => take(4, (o) => bytes.readFloatLE(o)),
      7: () => take(1, (o) => bytes.readUInt8(o) === 1),
      8: string,
      10: u64,
    };
    const reader = readers[type];
    if (reader === undefined) throw new Error(`unexpected value type ${type}`);
    return reader();
  };
  if (take(4, (offset) => bytes.toString('latin1', offset, offset + 4)) !== 'GGUF') throw new Error('not a GGUF file');
  const version = u32();
  const tensorCount = u64();
  const metadataCount = u64();
  const metadata = new Map<string, ParsedValue>();
  for (let index = 0; index < metadataCount; index += 1) {
    const key = string();
    const type = u32();
    if (type === 9) {
      const itemType = u32();
      const length = u64();
      metadata.set(key, { type, itemType, value: Array.from({ length }, () => scalar(itemType)) });
    } else {
      metadata.set(key, { type, value: scalar(type) });
    }
  }
  const tensors: TensorInfo[] = [];
  for (let index = 0; index < tensorCount; index += 1) {
    const name = string();
    const dims = Array.from({ length: u32() }, u64);
    tensors.push({ name, dims, type: u32(), offset: u64() });
  }
  const alignment = Number(metadata.get('general.alignment')?.value ?? 32);
  return { version, metadata, tensors, dataStart: Math.ceil(at / alignment) * alignment };
}

function dataBytes(info: TensorInfo): number {
  const count = info.dims.reduce((product, size) => product * size, 1);
  const perValue: Record<number, number> = { [F32]: 4, [F16]: 2, [Q8_0]: 34 / 32, [Q4_0]: 18 / 32 };
  return count * (perValue[info.type] ?? NaN);
}

function decode(bytes: Buffer, parsed: ParsedGguf, name: string): number[] {
  const info = parsed.tensors.find((candidate) => candidate.name === name);
  if (info === undefined) throw new Error(`no tensor ${name}`);
  const start = parsed.dataStart + info.offset;
  const count = info.dims.reduce((product, size) => product * size, 1);
  const out: number[] = [];
  if (info.type === F32) for (let i = 0; i < count; i += 1) out.push(bytes.readFloatLE(start + 4 * i));
  if (info.type === F16) for (let i = 0; i < count; i += 1) out.push(half(bytes.readUInt16LE(start + 2 * i)));
  for (let block = 0; block < count / 32; block += 1) {
    if (info.type === Q8_0) {
      const base = start + block * 34;
      const scale = half(bytes.readUInt16LE(base));
      for (let i = 0; i < 32; i += 1) out.push(scale * bytes.readInt8(base + 2 + i));
    }
    if (info.type === Q4_0) {
      const base = start + block * 18;
      const scale = half(bytes.readUInt16LE(base));
      const levels = Array.from(bytes.subarray(base + 2, base + 18));
      out.push(...levels.map((byte) => scale * ((byte & 0x0f) - 8)), ...levels.map((byte) => scale * ((byte >> 4) - 8)));
    }
  }
  return out;
}

/** binary16 bits to a number. */
function half(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
