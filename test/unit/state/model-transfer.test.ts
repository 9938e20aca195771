// ModelTransfer with a fake engine client: an import selects its target (the build the manifest names, a custom
// repo added for an unknown one, else the selected build) and reads the cache list again; a rejected import shows
// the worker's named error; a progress callback that arrives after the import ended never brings back 'running'
// (the sideload hang); export gives a .zip of the stored files, and a failed export is shown.
import 'fake-indexeddb/auto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from '../../../common/model-manifest';
import { ENGINE_ADVICE } from '../../../common/errors';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { ModelTransfer } from '../../../src/lib/state/model-transfer.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import type { PickedFile } from '../../../src/lib/model-folder';
import type { ModelRecord } from '../../../common/model-record';
import type { SideloadProgress, SideloadResult } from '../../../common/protocol';
import { cachedModel, catalogueBuild, deferred, engineFailure, FakeEngineClient, roomyDevice } from './fake-engine-client';

const SMALL = catalogueBuild('qwen3-0.6b-onnx');
const OTHER = catalogueBuild('qwen3.5-0.8b-onnx-opt');

interface Setup {
  client: FakeEngineClient;
  settings: SettingsState;
  storage: StorageState;
  models: ModelManager;
  transfer: ModelTransfer;
}

async function setup(selected: ModelRecord = OTHER): Promise<Setup> {
  const client = new FakeEngineClient();
  const settings = new SettingsState();
  const env = roomyDevice();
  const storage = new StorageState(client, env);
  const models = new ModelManager(client, settings, storage, env);
  await settings.update({ selectedModelId: selected.id, customRepos: [] });
  return { client, settings, storage, models, transfer: new ModelTransfer(client, models, storage) };
}

function folder(manifestRepo?: string): PickedFile[] {
  const files: PickedFile[] = [
    { path: 'picked/config.json', file: new Blob(['{}']) },
    { path: 'picked/tokenizer.json', file: new Blob(['{}']) },
    { path: 'picked/onnx/model_q4f16.onnx', file: new Blob([new Uint8Array(16)]) },
  ];
  if (manifestRepo) files.push({ path: `picked/${MANIFEST_FILE}`, file: new Blob([JSON.stringify({ repo: manifestRepo })]) });
  return files;
}

const WRITING: SideloadProgress = { phase: 'write', doneBytes: 458, totalBytes: 458, file: 'tokenizer.json' };

function result(repo: string): SideloadResult {
  return { repo, files: 3, bytes: 20, hashed: 0 };
}

describe('import', () => {
  it('imports into the build the manifest names, selects it, and reads the cache list again', async () => {
    const { client, models, storage, transfer } = await setup(OTHER);
    client.sideloadScript = (request) => {
      client.cached = [cachedModel(request.record)];
      return Promise.resolve(result(request.record.repo));
    };
    await transfer.importFiles(folder(SMALL.repo));
    expect(client.sideloads[0]?.record.id).toBe(SMALL.id);
    expect(client.sideloads[0]?.files.map((file) => file.path)).toContain('onnx/model_q4f16.onnx');
    expect(transfer.importState).toEqual({ kind: 'done', label: SMALL.label, result: result(SMALL.repo) });
    expect(models.selected?.id).toBe(SMALL.id);
    expect(storage.cached.map((entry) => entry.repo)).toEqual([SMALL.repo]);
  });

  it('adds a repo the catalogue does not know as a custom build, and selects it', async () => {
    const { client, models, settings, transfer } = await setup(OTHER);
    await transfer.importFiles(folder('someone/Qwen3-tiny-ONNX'));
    expect(settings.value.customRepos).toEqual(['someone/Qwen3-tiny-ONNX']);
    expect(client.sideloads[0]?.record.repo).toBe('someone/Qwen3-tiny-ONNX');
    expect(models.selected?.repo).toBe('someone/Qwen3-tiny-ONNX');
  });

  it('imports a folder without a manifest into the selected build', async () => {
    const { client, transfer } = await setup(SMALL);
    await transfer.importFiles(folder());
    expect(client.sideloads[0]?.record.id).toBe(SMALL.id);
    expect(transfer.importState.kind).toBe('done');
  });

  it('shows progress while the worker checks and stores', async () => {
    const { client, transfer } = await setup(SMALL);
    const answer = deferred<SideloadResult>();
    let report: (progress: SideloadProgress) => void = () => undefined;
    client.sideloadScript = (_request, onProgress) => {
      report = onProgress;
      return answer.promise;
    };
    const importing = transfer.importFiles(folder());
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the files are read before the worker is called
    report(WRITING);
    expect(transfer.importState).toEqual({ kind: 'running', label: SMALL.label, progress: WRITING });
    await transfer.importFiles(folder()); // a second import while one runs is ignored
    expect(client.sideloads).toHaveLength(1);
    answer.resolve(result(SMALL.repo));
    await importing;
    expect(transfer.importState.kind).toBe('done');
  });

  it('shows the worker’s named error when it rejects the files, and reads the cache list again', async () => {
    const { client, transfer } = await setup(SMALL);
    client.sideloadScript = () => Promise.reject(engineFailure('IntegrityMismatch', 'onnx/model_q4f16.onnx is 16 bytes'));
    const listsBefore = client.listCalls;
    await transfer.importFiles(folder());
    const state = transfer.importState;
    expect(state.kind).toBe('failed');
    if (state.kind !== 'failed') return;
    expect(state.error.name).toBe('IntegrityMismatch');
    expect(state.error.message).toContain(ENGINE_ADVICE.IntegrityMismatch);
    expect(state.error.message).toContain('onnx/model_q4f16.onnx');
    expect(client.listCalls).toBe(listsBefore + 1);
  });

  it('says which model to pick when nothing names the target', async () => {
    const { client, settings, transfer } = await setup(SMALL);
    await settings.update({ selectedModelId: 'no-such-build' });
    await transfer.importFiles(folder());
    const state = transfer.importState;
    expect(state.kind === 'failed' && state.error.message).toContain('Pick the model');
    expect(client.sideloads).toHaveLength(0);
  });

  it('ignores a progress callback that arrives after the import ended', async () => {
    const { client, transfer } = await setup(SMALL);
    let late: Promise<void> = Promise.resolve();
    client.sideloadScript = (request, onProgress) => {
      // As a worker whose callbacks are still queued when its answer arrives.
      late = new Promise((resolve) => setTimeout(() => resolve(onProgress(WRITING)), 0));
      return Promise.resolve(result(request.record.repo));
    };
    await transfer.importFiles(folder());
    await late;
    expect(transfer.importState.kind).toBe('done');

    client.sideloadScript = (_request, onProgress) => {
      late = new Promise((resolve) => setTimeout(() => resolve(onProgress(WRITING)), 0));
      return Promise.reject(engineFailure('ImportRejected', 'config.json is missing'));
    };
    await transfer.importFiles(folder());
    await late;
    expect(transfer.importState.kind).toBe('failed');
  });
});

describe('export', () => {
  it('gives a .zip with the stored files and the manifest', async () => {
    const { client, transfer } = await setup(SMALL);
    client.exportScript = () => Promise.resolve([{ path: 'config.json', file: new Blob(['{"a":1}']), sha256: 'ab'.repeat(32) }]);
    const exporting = transfer.exportArchive(SMALL.repo);
    expect(transfer.exporting).toBe(SMALL.repo);
    const exported = await exporting;
    expect(exported?.name).toBe('Qwen3-0.6B-ONNX.zip');
    const entries = unzipSync(new Uint8Array(await (exported?.archive ?? new Blob()).arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(['Qwen3-0.6B-ONNX/config.json', `Qwen3-0.6B-ONNX/${MANIFEST_FILE}`]);
    expect(new TextDecoder().decode(entries['Qwen3-0.6B-ONNX/config.json'])).toBe('{"a":1}');
    expect(transfer.exporting).toBeUndefined();
    expect(transfer.exportError).toBeUndefined();
  });

  it('shows a failed export, says when nothing is stored, and clears the error on the next export', async () => {
    const { client, transfer } = await setup(SMALL);
    client.exportScript = () => Promise.reject(new Error('the disk went away'));
    expect(await transfer.exportArchive(SMALL.repo)).toBeUndefined();
    expect(transfer.exportError?.message).toBe('the disk went away');
    expect(transfer.exporting).toBeUndefined();

    client.exportScript = () => Promise.resolve([]);
    await transfer.exportArchive(SMALL.repo);
    expect(transfer.exportError?.message).toContain(`Nothing of ${SMALL.repo} is stored`);

    client.exportScript = () => Promise.resolve([{ path: 'config.json', file: new Blob(['{}']), sha256: '00'.repeat(32) }]);
    expect(await transfer.exportArchive(SMALL.repo)).toBeDefined();
    expect(transfer.exportError).toBeUndefined();
  });
});
