// The weight store with files in both layouts (fake-indexeddb): old whole-blob records (as earlier versions wrote
// them, without engine) beside chunked ones, complete and partial: listing, reading, replacing and deleting.
import 'fake-indexeddb/auto';
import { createStore, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { createWeightStore, type WeightStore } from '../../workers/cache/weights-idb';

const ONNX_REPO = 'onnx-community/Qwen3-0.6B-ONNX';
const GGUF_REPO = 'Qwen/Qwen3-0.6B-GGUF';
const PARTIAL_REPO = 'unsloth/Qwen3.5-2B-GGUF';
const HUB = 'https://huggingface.co/';
const MIRROR_ORIGIN = 'http://127.0.0.1:8090';

let counter = 0;
function freshPrefix(): string {
  counter += 1;
  return `weights-chunked-${process.pid}-${counter}`;
}

function bytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(length));
  for (let index = 0; index < length; index += 1) out[index] = (index * 13 + seed) % 251;
  return out;
}

async function storeChunked(store: WeightStore, repo: string, file: string, parts: Uint8Array<ArrayBuffer>[], complete: boolean): Promise<void> {
  const size = parts.reduce((sum, part) => sum + part.byteLength, 0) + (complete ? 0 : 1000);
  await store.startFile(repo, file, { size, etag: '"v1"', source: MIRROR_ORIGIN, engine: 'llama-cpp' });
  for (const part of parts) await store.appendChunk(repo, file, new Blob([part]));
  if (complete) await store.completeFile(repo, file);
}

/** A record exactly as the store wrote it before chunks and engines existed. */
async function storeLegacy(prefix: string, repo: string, file: string, data: Uint8Array<ArrayBuffer>): Promise<void> {
  const key = `${repo}/${file}`;
  await set(key, new Blob([data]), createStore(`${prefix}-weights`, 'files'));
  await set(key, { key, repo, file, bytes: data.byteLength, storedAt: Date.now(), source: HUB.slice(0, -1) }, createStore(`${prefix}-weight-index`, 'records'));
}

async function seed(prefix: string): Promise<WeightStore> {
  const store = createWeightStore(prefix);
  await storeLegacy(prefix, ONNX_REPO, 'config.json', bytes(100, 1));
  await storeLegacy(prefix, ONNX_REPO, 'onnx/model_q4.onnx', bytes(3000, 2));
  await storeChunked(store, GGUF_REPO, 'Qwen3-0.6B-Q8_0.gguf', [bytes(4096, 3), bytes(4096, 4), bytes(10, 5)], true);
  await storeChunked(store, PARTIAL_REPO, 'Qwen3.5-2B-Q4_K_M.gguf', [bytes(4096, 6)], false);
  return store;
}

describe('both layouts side by side', () => {
  it('lists each model with its engine, counts partial bytes, and marks a partial model incomplete', async () => {
    const store = await seed(freshPrefix());
    expect(await store.listModels()).toEqual([
      { repo: ONNX_REPO, engine: 'transformers', files: 2, bytes: 3100, sources: ['https://huggingface.co'], exportable: true },
      { repo: GGUF_REPO, engine: 'llama-cpp', files: 1, bytes: 8202, sources: [MIRROR_ORIGIN], exportable: true },
      { repo: PARTIAL_REPO, engine: 'llama-cpp', files: 1, bytes: 4096, sources: [MIRROR_ORIGIN], complete: false, exportable: false },
    ]);
  });

  it('reads whole files of either layout, by file and through the Cache-API view, and leaves partial ones out', async () => {
    const store = await seed(freshPrefix());
    const gguf = await store.readFile(GGUF_REPO, 'Qwen3-0.6B-Q8_0.gguf');
    const expected = new Uint8Array([...bytes(4096, 3), ...bytes(4096, 4), ...bytes(10, 5)]);
    expect(new Uint8Array(await (gguf ?? new Blob()).arrayBuffer())).toEqual(expected);
    const viaCache = await store.forModel(GGUF_REPO, `${HUB}${GGUF_REPO}/resolve/main/`).match(`${HUB}${GGUF_REPO}/resolve/main/Qwen3-0.6B-Q8_0.gguf`);
    expect(viaCache?.headers.get('content-length')).toBe(String(expected.byteLength));
    expect(new Uint8Array(await (viaCache ?? new Response()).arrayBuffer())).toEqual(expected);

    const legacy = await store.forModel(ONNX_REPO, `${HUB}${ONNX_REPO}/resolve/main/`).match(`${HUB}${ONNX_REPO}/resolve/main/config.json`);
    expect(new Uint8Array(await (legacy ?? new Response()).arrayBuffer())).toEqual(bytes(100, 1));

    expect(await store.readFile(PARTIAL_REPO, 'Qwen3.5-2B-Q4_K_M.gguf')).toBeUndefined();
    expect(await store.readFiles(PARTIAL_REPO)).toEqual([]);
    expect(await store.partialFile(PARTIAL_REPO, 'Qwen3.5-2B-Q4_K_M.gguf')).toEqual({ bytes: 4096, chunks: 1, size: 5096, etag: '"v1"', lastModified: undefined });
    expect((await store.readFiles(GGUF_REPO)).map((file) => [file.path, file.blob.size])).toEqual([['Qwen3-0.6B-Q8_0.gguf', 8202]]);
  });

  it('deleteModel removes a model’s chunks, partial or whole, and leaves the other models alone', async () => {
    const prefix = freshPrefix();
    const store = await seed(prefix);
    await store.deleteModel(PARTIAL_REPO);
    await store.deleteModel(GGUF_REPO);
    expect((await store.listModels()).map((model) => model.repo)).toEqual([ONNX_REPO]);
    const left = await keys(createStore(`${prefix}-weights`, 'files'));
    expect(left.sort()).toEqual([`${ONNX_REPO}/config.json`, `${ONNX_REPO}/onnx/model_q4.onnx`]);
  });

  it('a whole file put over a partial download replaces it, chunks included', async () => {
    const prefix = freshPrefix();
    const store = await seed(prefix);
    await store.importFiles(PARTIAL_REPO, [{ path: 'Qwen3.5-2B-Q4_K_M.gguf', blob: new Blob([bytes(700, 9)]) }], undefined, 'llama-cpp');
    expect((await store.listModels()).find((model) => model.repo === PARTIAL_REPO)).toEqual({
      repo: PARTIAL_REPO, engine: 'llama-cpp', files: 1, bytes: 700, sources: ['files on this device'], exportable: true,
    });
    const chunkKeys = (await keys(createStore(`${prefix}-weights`, 'files'))).filter((key) => Array.isArray(key));
    expect(chunkKeys.map((key) => (Array.isArray(key) ? key[0] : key))).not.toContain(`${PARTIAL_REPO}/Qwen3.5-2B-Q4_K_M.gguf`);
  });

  it('refuses to complete a file whose bytes differ from the size announced, and removes it', async () => {
    const store = createWeightStore(freshPrefix());
    await store.startFile(GGUF_REPO, 'x.gguf', { size: 50, source: MIRROR_ORIGIN, engine: 'llama-cpp' });
    await store.appendChunk(GGUF_REPO, 'x.gguf', new Blob([bytes(60, 1)]));
    await expect(store.completeFile(GGUF_REPO, 'x.gguf')).rejects.toMatchObject({ name: 'IntegrityMismatch' });
    expect(await store.listModels()).toEqual([]);
  });
});
