// The llama.cpp (GGUF) catalogue: every record is well-formed, names real files the way llama.cpp loads them (split
// shards in order), carries a size that is plausible for its parameter count and quantisation, and agrees with the
// other engines' catalogues on how the same model is labelled.
import { describe, expect, it } from 'vitest';
import { GGUF_CATALOG, GGUF_DTYPE, GGUF_ID_PREFIX } from '../../common/catalog/gguf-builds';
import { CATALOG } from '../../common/catalog/transformers-builds';
import { WEB_LLM_CATALOG } from '../../common/catalog/web-llm-builds';
import type { GgufQuant, ModelRecord } from '../../common/model-record';
import { isF16Dtype } from '../../common/precision';

const REPO_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]*\/[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const SHARD = /^(?<stem>.+)-(?<index>\d{5})-of-(?<count>\d{5})\.gguf$/;

/** Nominal bits per weight: Q8_0 is 34 bytes per 32 weights; Q4_K_M mixes Q4_K (4.5) with some Q6_K (6.56). */
const NOMINAL_BITS: Readonly<Partial<Record<GgufQuant, number>>> = { Q8_0: 8.5, Q4_K_M: 4.85 };

function gguf(record: ModelRecord) {
  if (!record.gguf) throw new Error(`${record.id} has no gguf block`);
  return record.gguf;
}

function billions(record: ModelRecord): number {
  const match = /^(\d+(?:\.\d+)?)B$/.exec(record.parameters);
  if (match?.[1] === undefined) throw new Error(`${record.id}: parameters "${record.parameters}" is not <n>B`);
  return Number(match[1]);
}

/** What is wrong with a file list as llama.cpp's split loader sees it; empty when it loads. */
function splitProblems(files: readonly string[]): string[] {
  const problems: string[] = [];
  if (files.length === 0) return ['no file'];
  const shards = files.map((file) => SHARD.exec(file)?.groups);
  if (files.length === 1) {
    const only = shards[0];
    if (only && only.count !== '00001') problems.push(`${files[0]} is one shard of ${Number(only.count)}`);
    return problems;
  }
  const stem = shards[0]?.stem;
  shards.forEach((shard, position) => {
    if (!shard) return problems.push(`${files[position]} is not named -NNNNN-of-NNNNN.gguf`);
    if (shard.stem !== stem) problems.push(`${files[position]} does not share the stem ${stem}`);
    if (Number(shard.index) !== position + 1) problems.push(`${files[position]} is out of order`);
    if (Number(shard.count) !== files.length) problems.push(`${files[position]} says ${Number(shard.count)} shards`);
  });
  return problems;
}

describe('the split-name check itself', () => {
  it('accepts one plain file and a complete set of shards in order', () => {
    expect(splitProblems(['Qwen3-8B-Q4_K_M.gguf'])).toEqual([]);
    expect(splitProblems(['m-00001-of-00002.gguf', 'm-00002-of-00002.gguf'])).toEqual([]);
  });

  it('rejects shards out of order, missing, from two files, or a lone shard of a set', () => {
    expect(splitProblems(['m-00002-of-00002.gguf', 'm-00001-of-00002.gguf'])).not.toEqual([]);
    expect(splitProblems(['m-00001-of-00003.gguf', 'm-00002-of-00003.gguf'])).not.toEqual([]);
    expect(splitProblems(['a-00001-of-00002.gguf', 'b-00002-of-00002.gguf'])).not.toEqual([]);
    expect(splitProblems(['m-00001-of-00002.gguf'])).not.toEqual([]);
    expect(splitProblems(['m.gguf', 'n.gguf'])).not.toEqual([]);
  });
});

describe('GGUF_CATALOG', () => {
  it('has Qwen3 0.6B, 1.7B, 4B, 8B and Qwen3.5 0.8B, 2B, 4B, 9B, each once', () => {
    expect(GGUF_CATALOG.map((record) => record.label)).toEqual([
      'Qwen3 0.6B',
      'Qwen3 1.7B',
      'Qwen3 4B',
      'Qwen3 8B',
      'Qwen3.5 0.8B',
      'Qwen3.5 2B',
      'Qwen3.5 4B',
      'Qwen3.5 9B',
    ]);
  });

  it('has unique ids, all with the GGUF prefix, none shared with another engine', () => {
    const ids = GGUF_CATALOG.map((record) => record.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.startsWith(GGUF_ID_PREFIX), id).toBe(true);
    const others = new Set([...CATALOG, ...WEB_LLM_CATALOG].map((record) => record.id));
    for (const id of ids) expect(others.has(id), id).toBe(false);
  });

  it.each(GGUF_CATALOG.map((record) => [record.id, record] as const))('%s names its repo and files consistently', (id, record) => {
    const { quant, files } = gguf(record);
    expect(record.repo).toMatch(REPO_ID);
    const repoName = record.repo.split('/')[1] ?? '';
    expect(repoName).toBe(`${record.family}-${record.parameters}-GGUF`);
    // Official Qwen repos for Qwen3; Qwen publishes no Qwen3.5 GGUF.
    expect(record.repo.split('/')[0]).toBe(record.family === 'Qwen3' ? 'Qwen' : 'unsloth');
    expect(splitProblems(files)).toEqual([]);
    for (const file of files) {
      expect(file.endsWith('.gguf'), file).toBe(true);
      expect(file.startsWith(`${record.family}-${record.parameters}-${quant}`), file).toBe(true);
    }
    expect(id).toBe(`${GGUF_ID_PREFIX}${record.family}-${record.parameters}-${quant}`);
  });

  it.each(GGUF_CATALOG.map((record) => [record.id, record] as const))('%s has no f16-only precision and falls back to the CPU', (_id, record) => {
    const dtype = GGUF_DTYPE[gguf(record).quant];
    expect(record.dtypes).toEqual({ withF16: dtype, withoutF16: dtype });
    expect(isF16Dtype(record.dtypes.withoutF16)).toBe(false);
    expect(record.needsShaderF16).toBe(false);
    expect(record.fallsBackToCpu).toBe(true);
    expect(record.engine).toBe('llama-cpp');
  });

  it.each(GGUF_CATALOG.map((record) => [record.id, record] as const))('%s has a size plausible for its parameters and bits per weight', (_id, record) => {
    const { quant } = gguf(record);
    const dtype = GGUF_DTYPE[quant];
    expect(Object.keys(record.downloadBytes)).toEqual([dtype]);
    const bytes = record.downloadBytes[dtype] ?? Number.NaN;
    expect(Number.isInteger(bytes)).toBe(true);
    const nominal = NOMINAL_BITS[quant];
    if (nominal === undefined) throw new Error(`no nominal bits for ${quant}`);
    // Parameter labels are rounded (the Qwen3.5 ones count a vision encoder these files leave out), and small files
    // carry a larger share of f32 and Q6_K tensors: a band that still catches a figure off by 2x, let alone 10x.
    const bitsPerLabelledWeight = (bytes * 8) / (billions(record) * 1e9);
    expect(bitsPerLabelledWeight).toBeGreaterThan(0.85 * nominal);
    expect(bitsPerLabelledWeight).toBeLessThan(1.3 * nominal);
  });

  it('marks no size as an estimate, because every file size is sourced, and only sizes it has', () => {
    for (const record of GGUF_CATALOG) {
      for (const dtype of record.estimatedSizes) expect(record.downloadBytes[dtype], record.id).toBeDefined();
      expect(record.estimatedSizes, record.id).toEqual([]);
    }
  });

  it('carries the sourced byte counts of the official files', () => {
    const bytes = (id: string) => GGUF_CATALOG.find((record) => record.id === id)?.downloadBytes;
    expect(bytes('gguf:Qwen3-0.6B-Q8_0')?.q8).toBe(639_446_688);
    expect(bytes('gguf:Qwen3-4B-Q4_K_M')?.q4).toBe(2_497_280_256);
    expect(bytes('gguf:Qwen3.5-9B-Q4_K_M')?.q4).toBe(5_680_522_464);
  });

  it('grows in download and GPU estimate with the model within a family and quantisation', () => {
    for (const family of ['Qwen3', 'Qwen3.5'] as const) {
      for (const quant of ['Q4_K_M', 'Q8_0'] as const) {
        const builds = GGUF_CATALOG.filter((record) => record.family === family && gguf(record).quant === quant);
        const sizes = builds.map((record) => record.downloadBytes[GGUF_DTYPE[quant]] ?? 0);
        const gpu = builds.map((record) => record.gpuMemoryBytes ?? 0);
        expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
        expect(gpu).toEqual([...gpu].sort((a, b) => a - b));
      }
    }
  });

  it.each(GGUF_CATALOG.map((record) => [record.id, record] as const))('%s has a GPU estimate and a largest tensor within reason', (_id, record) => {
    const dtype = record.dtypes.withoutF16;
    const bytes = record.downloadBytes[dtype] ?? 0;
    // Weights plus a 4096-token KV cache and a working set: more than the file, well under twice it.
    expect(record.gpuMemoryBytes ?? 0).toBeGreaterThan(bytes);
    expect(record.gpuMemoryBytes ?? 0).toBeLessThan(2 * bytes);
    // The vocabulary matrix: a real share of the file, never all of it.
    const largest = record.largestTensorBytes?.[dtype] ?? 0;
    expect(largest).toBeGreaterThan(0.05 * bytes);
    expect(largest).toBeLessThan(0.5 * bytes);
  });

  it('offers on the CPU exactly the builds up to 2B parameters', () => {
    for (const record of GGUF_CATALOG) expect(record.runsOnCpu, record.id).toBe(billions(record) <= 2);
    expect(GGUF_CATALOG.filter((record) => record.runsOnCpu).map((record) => record.label)).toEqual([
      'Qwen3 0.6B',
      'Qwen3 1.7B',
      'Qwen3.5 0.8B',
      'Qwen3.5 2B',
    ]);
  });

  it.each(GGUF_CATALOG.map((record) => [record.id, record] as const))('%s shares its model facts with the other catalogues', (_id, record) => {
    expect(record.label).toBe(`${record.family} ${record.parameters}`);
    expect(record.contextWindow).toBe(record.family === 'Qwen3.5' ? 262_144 : 40_960);
    expect(record.takesImages).toBe(false);
    expect(record.licence).toBe('Apache-2.0');
    expect(record.importable).toBe(true);
    expect(record.exportable).toBe(true);
    expect(record.variant).toBeUndefined();
    const sameModel = [...CATALOG, ...WEB_LLM_CATALOG].filter(
      (other) => other.family === record.family && other.parameters === record.parameters,
    );
    expect(sameModel.length, 'another engine builds this model').toBeGreaterThan(0);
    for (const other of sameModel) expect(other.label, other.id).toBe(record.label);
    // The ONNX exports are the same model; their context window must agree.
    for (const other of sameModel.filter((candidate) => candidate.engine === 'transformers')) {
      expect(other.contextWindow, other.id).toBe(record.contextWindow);
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(GGUF_CATALOG)).toBe(true);
    for (const record of GGUF_CATALOG) {
      expect(Object.isFrozen(record)).toBe(true);
      expect(Object.isFrozen(gguf(record))).toBe(true);
      expect(Object.isFrozen(gguf(record).files)).toBe(true);
      expect(Object.isFrozen(record.downloadBytes)).toBe(true);
    }
  });
});
