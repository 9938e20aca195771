// Sideload, in node: the folder checks (required files, ONNX structure, JSON content, manifest sizes and sha256, paths),
// the weight store's all-or-nothing import and its read-back for export (over fake-indexeddb), and the page's
// folder and archive handling (top folder taken off, loose ONNX files put back under onnx/, export .zip round trip).
import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { customModelRecord, findModel } from '../../common/catalog/builds';
import { buildArchive, exportFolderName, toModelFiles } from '../../src/lib/model-folder';
import { MANIFEST_FILE as PAGE_MANIFEST_FILE, MANIFEST_FILE, MANIFEST_FORMAT } from '../../common/model-manifest';
import type { ExportedFile, SideloadFile } from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';
import { createWeightStore } from '../../workers/cache/weights-idb';
import { EngineError } from '../../workers/errors';
import { checkSideload, graphFiles, normalisePath, onnxProblem, sha256Hex } from '../../workers/sideload/check';
import { TINY_MODEL_DIR, TINY_REPO, TINY_VL_MODEL_DIR, TINY_VL_REPO, ensureTinyModel } from '../fixtures/paths';
import { TINY_VL_ONNX_FILES } from '../fixtures/tiny-qwen35-vl';

const TINY = customModelRecord(TINY_REPO);
const FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
let tiny: SideloadFile[] = [];

beforeAll(async () => {
  await ensureTinyModel();
  tiny = await Promise.all(
    FILES.map(async (file) => ({ path: file, file: new Blob([await readFile(path.join(TINY_MODEL_DIR, file))]) })),
  );
}, 120_000);

function replace(files: SideloadFile[], name: string, blob: Blob): SideloadFile[] {
  return files.map((entry) => (entry.path === name ? { path: name, file: blob } : entry));
}

async function rejection(work: Promise<unknown>): Promise<EngineError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function manifestFor(files: SideloadFile[], repo = TINY_REPO): Promise<SideloadFile> {
  const listed = await Promise.all(files.map(async (entry) => ({ path: entry.path, bytes: entry.file.size, sha256: await sha256Hex(entry.file) })));
  return { path: MANIFEST_FILE, file: new Blob([JSON.stringify({ format: MANIFEST_FORMAT, repo, files: listed })]) };
}

describe('checkSideload', () => {
  it('accepts the tiny model folder and reports progress up to every byte', async () => {
    const seen: number[] = [];
    const checked = await checkSideload(TINY, [...tiny, { path: 'README.md', file: new Blob(['hi']) }], (progress) => seen.push(progress.doneBytes));
    expect(checked.files.map((file) => file.path).sort()).toEqual([...FILES].sort());
    expect(checked.skipped).toEqual(['README.md']);
    expect(checked.hashed).toBe(0);
    expect(seen.at(-1)).toBe(checked.bytes);
  });

  it('names a truncated ONNX graph without any manifest', async () => {
    const model = tiny.find((entry) => entry.path === 'onnx/model.onnx')?.file ?? new Blob();
    const cut = model.slice(0, Math.floor(model.size / 2));
    const error = await rejection(checkSideload(TINY, replace(tiny, 'onnx/model.onnx', cut)));
    expect(error.name).toBe('ImportRejected');
    expect(error.message).toContain('(onnx/model.onnx: is cut short');
  });

  it('names a wrong file: a foreign ONNX, a non-Qwen config, a tokenizer that is not one, broken JSON', async () => {
    const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])]);
    expect((await rejection(checkSideload(TINY, replace(tiny, 'onnx/model.onnx', png)))).message).toContain('onnx/model.onnx: is not an ONNX model');
    const llama = new Blob([JSON.stringify({ model_type: 'llama' })]);
    expect((await rejection(checkSideload(TINY, replace(tiny, 'config.json', llama)))).message).toContain('config.json: is not a Qwen3');
    const notTokenizer = new Blob([JSON.stringify({ version: '1.0' })]);
    expect((await rejection(checkSideload(TINY, replace(tiny, 'tokenizer.json', notTokenizer)))).message).toContain('tokenizer.json: is not a tokenizer');
    const broken = replace(tiny, 'tokenizer_config.json', new Blob(['{"a":']));
    expect((await rejection(checkSideload(TINY, broken))).message).toContain('tokenizer_config.json: is not valid JSON');
  });

  it('names a missing required file and a missing graph', async () => {
    const noTokenizer = tiny.filter((entry) => entry.path !== 'tokenizer.json');
    expect((await rejection(checkSideload(TINY, noTokenizer))).message).toContain('tokenizer.json: is missing');
    const noGraph = tiny.filter((entry) => entry.path !== 'onnx/model.onnx');
    expect((await rejection(checkSideload(TINY, noGraph))).message).toContain('onnx/model.onnx: is missing');
  });

  it('with a manifest: checks every size and sha256, and the repo it names', async () => {
    const manifest = await manifestFor(tiny);
    expect((await checkSideload(TINY, [...tiny, manifest])).hashed).toBe(FILES.length);

    const config = tiny.find((entry) => entry.path === 'generation_config.json')?.file ?? new Blob();
    const flipped = new Uint8Array(await config.arrayBuffer());
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] ?? 0) ^ 0x01;
    const sameSize = replace(tiny, 'generation_config.json', new Blob([flipped]));
    const error = await rejection(checkSideload(TINY, [...sameSize, manifest]));
    expect(error.message).toMatch(/generation_config\.json: (does not match the sha256|is not valid JSON)/);

    const shorter = replace(tiny, 'tokenizer.json', (tiny.find((entry) => entry.path === 'tokenizer.json')?.file ?? new Blob()).slice(0, 10));
    expect((await rejection(checkSideload(TINY, [...shorter, manifest]))).message).toContain('tokenizer.json: is 10 bytes, but the manifest says');

    const other = await manifestFor(tiny, 'test/other-model');
    expect((await rejection(checkSideload(TINY, [...tiny, other]))).message).toContain(`${MANIFEST_FILE}: is for test/other-model`);
  });

  it('refuses paths outside the model folder', async () => {
    expect(normalisePath('../etc/passwd')).toBeUndefined();
    expect(normalisePath('./onnx\\model.onnx')).toBe('onnx/model.onnx');
    expect((await rejection(checkSideload(TINY, [...tiny, { path: 'a/../../x.json', file: new Blob(['{}']) }]))).message).toContain('outside the model folder');
  });

  it('knows the graph files of each family and precision', () => {
    const qwen35 = findModel('qwen3.5-0.8b-onnx-opt');
    expect(qwen35).toBeDefined();
    if (!qwen35) return;
    expect(graphFiles(qwen35, 'q4')).toEqual(['onnx/embed_tokens_q4.onnx', 'onnx/decoder_model_merged_q4.onnx', 'onnx/vision_encoder_q4.onnx']);
    // The 0.8B build pairs its q4f16 text model with the fp16 vision encoder.
    expect(graphFiles(qwen35, 'q4f16')).toEqual([
      'onnx/embed_tokens_q4f16.onnx',
      'onnx/decoder_model_merged_q4f16.onnx',
      'onnx/vision_encoder_fp16.onnx',
    ]);
    const qwen3: ModelRecord | undefined = findModel('qwen3-0.6b-onnx');
    expect(qwen3 && graphFiles(qwen3, 'q4f16')).toEqual(['onnx/model_q4f16.onnx']);
    expect(graphFiles(TINY, 'fp32')).toEqual(['onnx/model.onnx']);
  });

  it('for a build that takes images (its config says so), wants the vision encoder and the image processor too', async () => {
    const record = customModelRecord(TINY_VL_REPO);
    const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', ...TINY_VL_ONNX_FILES];
    const folder = await Promise.all(names.map(async (file) => ({ path: file, file: new Blob([await readFile(path.join(TINY_VL_MODEL_DIR, file))]) })));
    const checked = await checkSideload(record, folder);
    expect(checked.files.map((file) => file.path).sort()).toEqual([...names].sort());
    const noVision = folder.filter((entry) => entry.path !== 'onnx/vision_encoder.onnx');
    expect((await rejection(checkSideload(record, noVision))).message).toContain('onnx/vision_encoder.onnx: is missing');
    const noProcessor = folder.filter((entry) => entry.path !== 'preprocessor_config.json');
    expect((await rejection(checkSideload(record, noProcessor))).message).toContain('preprocessor_config.json: is missing');
  });

  it('onnxProblem accepts a complete graph and reads only a few bytes of it', async () => {
    const model = tiny.find((entry) => entry.path === 'onnx/model.onnx')?.file ?? new Blob();
    expect(await onnxProblem(model)).toBeUndefined();
    expect(await onnxProblem(new Blob([new Uint8Array([0x08, 0x08])]))).toContain('no graph');
  });
});

describe('weight store import and export', () => {
  it('stores an import with its source, reads it back, and lists it', async () => {
    const store = createWeightStore(`sideload-${process.pid}-1`);
    const written: string[] = [];
    await store.importFiles(TINY_REPO, tiny.map((entry) => ({ path: entry.path, blob: entry.file })), (file) => written.push(file));
    expect(written).toEqual(FILES);
    const [listed] = await store.listModels();
    expect(listed).toMatchObject({ repo: TINY_REPO, files: FILES.length, sources: ['files on this device'] });
    const back = await store.readFiles(TINY_REPO);
    expect(back.map((file) => file.path).sort()).toEqual([...FILES].sort());
    for (const file of back) {
      const original = tiny.find((entry) => entry.path === file.path)?.file ?? new Blob();
      expect(await sha256Hex(file.blob)).toBe(await sha256Hex(original));
    }
  });

  it('removes what it wrote when a write fails half way', async () => {
    const store = createWeightStore(`sideload-${process.pid}-2`);
    const files = tiny.map((entry) => ({ path: entry.path, blob: entry.file }));
    let count = 0;
    const failing = store.importFiles(TINY_REPO, files, () => {
      count += 1;
      if (count === 3) throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(await store.listModels()).toEqual([]);
  });
});

describe('page-side folder and archive handling', () => {
  it('shares the manifest name with the worker', () => {
    expect(PAGE_MANIFEST_FILE).toBe(MANIFEST_FILE);
  });

  it('takes off the picked folder and puts loose ONNX files back under onnx/', async () => {
    const blob = new Blob(['x']);
    const folder = await toModelFiles([
      { path: 'usb/tiny-qwen3/config.json', file: blob },
      { path: 'usb/tiny-qwen3/onnx/model.onnx', file: blob },
    ]);
    expect(folder.map((file) => file.path)).toEqual(['config.json', 'onnx/model.onnx']);
    const loose = await toModelFiles([
      { path: 'config.json', file: blob },
      { path: 'model_q4.onnx', file: blob },
      { path: 'model_q4.onnx_data', file: blob },
    ]);
    expect(loose.map((file) => file.path)).toEqual(['config.json', 'onnx/model_q4.onnx', 'onnx/model_q4.onnx_data']);
  });

  it('an exported .zip opens back into the same files plus a manifest the worker accepts', async () => {
    const exported: ExportedFile[] = await Promise.all(tiny.map(async (entry) => ({ path: entry.path, file: entry.file, sha256: await sha256Hex(entry.file) })));
    const archive = await buildArchive(TINY_REPO, exported);
    expect(exportFolderName(TINY_REPO)).toBe('tiny-qwen3');
    const files = await toModelFiles([{ path: 'tiny-qwen3.zip', file: archive }]);
    expect(files.map((file) => file.path).sort()).toEqual([...FILES, MANIFEST_FILE].sort());
    expect((await checkSideload(TINY, files)).hashed).toBe(FILES.length);
  });
});
