// Which files the transformers.js engine fetches through its own chunked download, and how its batches add up to one
// progress bar (transformers-download.ts); and the tracker showing that download, then transformers.js's reads.
// The file lists come from transformers.js's own ModelRegistry on the generated tiny models' real config.json files,
// so they are checked against the files those folders hold.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AutoConfig, ModelRegistry } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../common/protocol';
import { isImageTextConfig } from '../../common/vision-config';
import { filesAfterConfig, offsetProgress } from '../../workers/engines/transformers-download';
import { LoadProgressTracker } from '../../workers/engines/transformers-progress';
import { TINY_MODEL_DIR, TINY_REPO, TINY_VL_MODEL_DIR, TINY_VL_REPO } from '../fixtures/paths';

async function filesIn(folder: string, under = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(folder, under), { withFileTypes: true })) {
    const relative = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesIn(folder, relative)));
    else found.push(relative);
  }
  return found.sort();
}

async function listed(folder: string, repo: string, dtype: Parameters<typeof ModelRegistry.get_model_files>[1]): Promise<string[]> {
  const json: unknown = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8'));
  const config = await AutoConfig.from_pretrained(repo, { config: json as never });
  const modelFiles = await ModelRegistry.get_model_files(repo, { ...dtype, config });
  return filesAfterConfig(modelFiles, isImageTextConfig(config));
}

describe('the files a build fetches through the chunked download', () => {
  it('the tiny Qwen3 at fp32: every file it has but the q4 graph, small files first, the graph last', async () => {
    const files = await listed(TINY_MODEL_DIR, TINY_REPO, { dtype: 'fp32', device: 'webgpu' });
    expect(files).toEqual(['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'onnx/model.onnx']);
    expect([...files, 'config.json'].sort()).toEqual((await filesIn(TINY_MODEL_DIR)).filter((file) => file !== 'onnx/model_q4.onnx'));
  });

  it('the tiny Qwen3 at q4 names the q4 graph instead', async () => {
    const files = await listed(TINY_MODEL_DIR, TINY_REPO, { dtype: 'q4', device: 'wasm' });
    expect(files.filter((file) => file.endsWith('.onnx'))).toEqual(['onnx/model_q4.onnx']);
  });

  it('the tiny Qwen3.5 vision build: its three graphs and the processor config, i.e. every file in its folder', async () => {
    const dtype = { embed_tokens: 'fp32', decoder_model_merged: 'fp32', vision_encoder: 'fp32' } as const;
    const files = await listed(TINY_VL_MODEL_DIR, TINY_VL_REPO, { dtype, device: 'webgpu' });
    expect(files.slice(0, 3)).toEqual(['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json']);
    expect([...files, 'config.json'].sort()).toEqual(await filesIn(TINY_VL_MODEL_DIR));
    expect(files.slice(-3).every((file) => file.endsWith('.onnx'))).toBe(true);
  });

  it('external-data chunks come after the small files, in order, with no file twice', () => {
    const files = filesAfterConfig(
      ['config.json', 'onnx/model_q4f16.onnx', 'onnx/model_q4f16.onnx_data', 'onnx/model_q4f16.onnx_data_1', 'generation_config.json', 'tokenizer.json'],
      false,
    );
    expect(files).toEqual([
      'tokenizer.json', 'tokenizer_config.json', 'generation_config.json',
      'onnx/model_q4f16.onnx', 'onnx/model_q4f16.onnx_data', 'onnx/model_q4f16.onnx_data_1',
    ]);
  });
});

describe('batches add up to one progress', () => {
  it('a later batch counts the earlier batches’ bytes and files before its own', () => {
    const running: LoadProgress = { phase: 'download', loadedBytes: 300, totalBytes: 1000, filesDone: 1, filesTotal: 4, file: 'onnx/model.onnx' };
    expect(offsetProgress({ bytes: 722, files: 1 }, running)).toEqual({
      phase: 'download', loadedBytes: 1022, totalBytes: 1722, filesDone: 2, filesTotal: 5, file: 'onnx/model.onnx',
    });
    expect(offsetProgress({ bytes: 0, files: 0 }, running)).toEqual(running);
  });
});

describe('the tracker while our own download runs', () => {
  function tracker(): { tracker: LoadProgressTracker; emitted: LoadProgress[] } {
    const emitted: LoadProgress[] = [];
    return { tracker: new LoadProgressTracker((progress) => emitted.push(progress), 0, () => 0), emitted };
  }

  it('shows nothing of transformers.js reading the config before the download’s first event, then only the download', () => {
    const { tracker: t, emitted } = tracker();
    t.prefetchStarting();
    t.cacheHit('config.json');
    t.report({ status: 'progress', file: 'config.json', loaded: 722, total: 722 });
    t.report({ status: 'done', file: 'config.json' });
    expect(emitted).toEqual([]);
    const first: LoadProgress = { phase: 'download', loadedBytes: 5000, totalBytes: 10_000, filesDone: 2, filesTotal: 5, file: 'onnx/model.onnx' };
    t.prefetching(first);
    t.prefetching({ ...first, loadedBytes: 10_000 });
    expect(emitted).toEqual([first, { ...first, loadedBytes: 10_000 }]);
  });

  it('after the download, transformers.js’s cache reads show; files it fetched count as downloaded, not as cached', () => {
    const { tracker: t, emitted } = tracker();
    t.prefetchStarting();
    t.prefetched('onnx/model.onnx');
    t.prefetchDone();
    for (const file of ['config.json', 'onnx/model.onnx']) {
      t.cacheHit(file);
      t.report({ status: 'progress', file, loaded: 10, total: 10 });
      t.report({ status: 'done', file });
    }
    expect(emitted.at(-1)?.phase).toBe('compile');
    expect(emitted.some((progress) => progress.phase === 'cache-read')).toBe(true);
    expect(t.filesDownloaded).toBe(1);
    expect(t.filesFromCache).toBe(1);
  });
});
