// A GGUF file named by the user (`org/name/file.gguf`) becomes a llama.cpp record: its repo and files (every shard
// of a split file from the first one's name), its quantisation from the name, and the capabilities llama.cpp gives
// it; the id round-trips through findModel, and what is not a repo or a GGUF file is refused with both forms named.
// The fit verdict of such builds: on the CPU, with the reason, where the GPU lacks shader-f16 or WebGPU. The model
// manager keeps the whole spec in the settings, so the file is still known after a reload.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { customModelRecord, findModel, parseGgufSpec } from '../../common/catalog/builds';
import { freezeRecord, type ModelRecord } from '../../common/model-record';
import { CPU_FALLBACK_NO_SHADER_F16, CPU_FALLBACK_NO_WEBGPU } from '../../common/precision';
import { assessFit } from '../../src/lib/fit';
import { verdictText } from '../../src/lib/verdict-text';
import { ModelManager } from '../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../src/lib/state/settings.svelte';
import { StorageState } from '../../src/lib/state/storage-state.svelte';
import { GiB, LAPTOP_F16, NO_WEBGPU, SWIFTSHADER } from './gpu-adapters';
import { FakeEngineClient, roomyDevice } from './state/fake-engine-client';

describe('parseGgufSpec', () => {
  it('splits the repo from the file, and reads the quantisation from the name', () => {
    expect(parseGgufSpec('Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf')).toEqual({
      repo: 'Qwen/Qwen3-0.6B-GGUF',
      files: ['Qwen3-0.6B-Q8_0.gguf'],
      quant: 'Q8_0',
      name: 'Qwen3-0.6B-Q8_0',
    });
    expect(parseGgufSpec('unsloth/Qwen3-4B-GGUF/Qwen3-4B-q4_k_m.gguf')?.quant).toBe('Q4_K_M');
    expect(parseGgufSpec('me/m/model-F16.gguf')?.quant).toBe('F16');
    expect(parseGgufSpec('me/m/model-BF16.gguf')?.quant).toBe('Q8_0');
    expect(parseGgufSpec('me/m/model.gguf')?.quant).toBe('Q8_0');
  });

  it('names every shard of a split file, in order, from any shard, keeping its folder', () => {
    const spec = parseGgufSpec('org/big-GGUF/Q4_K_M/big-Q4_K_M-00002-of-00003.gguf');
    expect(spec?.repo).toBe('org/big-GGUF');
    expect(spec?.files).toEqual([
      'Q4_K_M/big-Q4_K_M-00001-of-00003.gguf',
      'Q4_K_M/big-Q4_K_M-00002-of-00003.gguf',
      'Q4_K_M/big-Q4_K_M-00003-of-00003.gguf',
    ]);
    expect(spec?.name).toBe('big-Q4_K_M');
    expect(spec?.quant).toBe('Q4_K_M');
  });

  it.each(['org/name', 'org/name/file.bin', 'org/name/../x.gguf', 'org//x.gguf', 'org/name/.x.gguf', 'org/name/a b.gguf', 'o/n/x-00001-of-00000.gguf', 'https://h/o/n/x.gguf'])(
    'is not a GGUF spec: %j',
    (spec) => {
      expect(parseGgufSpec(spec)).toBeUndefined();
    },
  );
});

describe('customModelRecord for a GGUF file', () => {
  it('is a llama.cpp build that falls back to the CPU, importable and exportable, sizes unknown', () => {
    const record = customModelRecord('test/tiny-qwen3-GGUF/tiny-qwen3-Q8_0.gguf');
    expect(record).toMatchObject({
      id: 'custom:test/tiny-qwen3-GGUF/tiny-qwen3-Q8_0.gguf',
      label: 'tiny-qwen3-Q8_0',
      family: 'Qwen3',
      engine: 'llama-cpp',
      repo: 'test/tiny-qwen3-GGUF',
      dtypes: { withF16: 'q8', withoutF16: 'q8' },
      downloadBytes: {},
      gguf: { quant: 'Q8_0', files: ['tiny-qwen3-Q8_0.gguf'] },
      importable: true,
      exportable: true,
      needsShaderF16: false,
      runsOnCpu: true,
      fallsBackToCpu: true,
    });
    expect(Object.isFrozen(record.gguf?.files)).toBe(true);
    expect(customModelRecord('me/Qwen3.5-2B-GGUF/Qwen3.5-2B-Q4_K_M.gguf').family).toBe('Qwen3.5');
    expect(customModelRecord('me/m-GGUF/m-Q4_K_M.gguf').dtypes.withoutF16).toBe('q4');
  });

  it('round-trips through findModel, and an ONNX repo stays a transformers.js build', () => {
    const record = customModelRecord('org/split-GGUF/m-00001-of-00002.gguf');
    expect(findModel(record.id)).toEqual(record);
    expect(customModelRecord('test/tiny-qwen3').engine).toBe('transformers');
    expect(findModel('custom:org/name/x.bin')).toBeUndefined();
  });

  it('refuses anything else, naming both forms', () => {
    expect(() => customModelRecord('org/name/file.bin')).toThrow(/organisation\/name\/file\.gguf/);
    expect(() => customModelRecord('a/b/c')).toThrow(/organisation\/name/);
  });
});

describe('the fit verdict of a build that falls back to the CPU', () => {
  const gguf = customModelRecord('test/tiny-qwen3-GGUF/tiny-qwen3-Q8_0.gguf');

  it('runs on the CPU with the shader-f16 reason on a GPU without it, and says so in words', () => {
    const verdict = assessFit(gguf, { gpu: SWIFTSHADER });
    expect(verdict).toMatchObject({ level: 'tight', device: 'wasm', dtype: 'q8', possible: true, slow: 'cpu' });
    expect(verdict.reasons[0]).toBe(CPU_FALLBACK_NO_SHADER_F16);
    expect(verdictText(verdict).sentence).toContain('shader-f16');
  });

  it('runs on the CPU without WebGPU, and on the GPU where it has shader-f16', () => {
    const cpu = assessFit(gguf, { gpu: NO_WEBGPU });
    expect(cpu).toMatchObject({ device: 'wasm', slow: 'cpu' });
    expect(cpu.reasons[0]).toBe(CPU_FALLBACK_NO_WEBGPU);
    expect(verdictText(cpu).sentence).toContain('no WebGPU');
    expect(assessFit(gguf, { gpu: LAPTOP_F16 })).toMatchObject({ level: 'fits', device: 'webgpu' });
  });

  it('is too big before the download when its size is known and over the storage or memory left', () => {
    const big: ModelRecord = freezeRecord({ ...gguf, downloadBytes: { q8: 9 * GiB }, gpuMemoryBytes: 10 * GiB, dtypes: { ...gguf.dtypes } });
    const storage = assessFit(big, { gpu: SWIFTSHADER, storage: { usage: 0, quota: 4 * GiB } });
    expect(storage.level).toBe('wont-fit');
    expect(storage.reasons.join(' ')).toContain('storage');
    const memory = assessFit(big, { gpu: SWIFTSHADER, memoryGiB: 4 });
    expect(memory.level).toBe('wont-fit');
    expect(memory.reasons[0]).toContain('of memory');
    expect(memory.reasons[0]).not.toContain('GPU memory');
  });
});

describe('adding a GGUF file in the model source settings', () => {
  it('keeps the whole spec, so the list has the llama.cpp build again after a reload', async () => {
    const client = new FakeEngineClient();
    const settings = new SettingsState();
    const env = roomyDevice();
    const models = new ModelManager(client, settings, new StorageState(client, env), env);
    const spec = 'test/tiny-qwen3-GGUF/tiny-qwen3-Q8_0.gguf';
    const record = await models.addCustomRepo(` ${spec} `);
    await models.addCustomRepo(spec);
    expect(settings.value.customRepos).toEqual([spec]);
    expect(models.selected?.id).toBe(record.id);
    expect(models.models.find((model) => model.id === record.id)?.engine).toBe('llama-cpp');
    expect(models.recordForRepo('test/tiny-qwen3-GGUF')?.gguf?.files).toEqual(['tiny-qwen3-Q8_0.gguf']);
  });
});
