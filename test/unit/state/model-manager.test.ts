// ModelManager with a fake engine client and a fake device: probe then load (progress, download speed), a failed
// load kept with its name and advice, a lost GPU that restarts the worker and a load that works after it, a worker
// restart that shows the failure it carries, the auto-load at start (never of a partial web-llm download), and a
// custom repo in the settings that does not parse, which is named instead of dropped.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_ADVICE } from '../../../common/errors';
import { PAGE_ADVICE } from '../../../src/lib/errors';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import type { LoadProgress } from '../../../common/protocol';
import { cachedModel, catalogueBuild, deferred, engineFailure, FakeEngineClient, loadedModel, roomyDevice } from './fake-engine-client';

const SMALL = catalogueBuild('qwen3-0.6b-onnx');
const WEB_LLM = catalogueBuild('webllm:Qwen3-0.6B-q4f16_1-MLC');

function setup(): { client: FakeEngineClient; settings: SettingsState; storage: StorageState; models: ModelManager } {
  const client = new FakeEngineClient();
  const settings = new SettingsState();
  const env = roomyDevice();
  const storage = new StorageState(client, env);
  const models = new ModelManager(client, settings, storage, env);
  return { client, settings, storage, models };
}

function download(loadedBytes: number): LoadProgress {
  return { phase: 'download', loadedBytes, totalBytes: 10_000_000, filesDone: 0, filesTotal: 3, file: 'model.onnx' };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('probe and load', () => {
  it('probes, then loads with progress and the download speed, and reads the cache again afterwards', async () => {
    const { client, models } = setup();
    expect(models.status).toBe('probing');
    await models.probe();
    expect(models.status).toBe('idle');
    expect(models.gpu?.webgpu).toBe(true);

    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const answer = deferred<ReturnType<typeof loadedModel>>();
    let report: (progress: LoadProgress) => void = () => undefined;
    client.loadScript = (_request, onProgress) => {
      report = onProgress;
      return answer.promise;
    };
    const loading = models.load(SMALL);
    expect(models.status).toBe('loading');

    // A resumed download's first event carries what is stored already: it sets where the speed counts from.
    now = 1500;
    report(download(2_000_000));
    expect(models.progress?.loadedBytes).toBe(2_000_000);
    expect(models.bytesPerSecond).toBe(0);
    now = 2500; // 5 MB more in one second: the stored 2 MB do not count
    report(download(7_000_000));
    expect(models.bytesPerSecond).toBe(5_000_000);
    now = 2700; // too soon for a new speed sample: the speed stays, the progress moves on
    report(download(9_000_000));
    expect(models.progress?.loadedBytes).toBe(9_000_000);
    expect(models.bytesPerSecond).toBe(5_000_000);

    const listsBefore = client.listCalls;
    answer.resolve(loadedModel(SMALL));
    await loading;
    expect(models.status).toBe('ready');
    expect(models.loaded?.modelId).toBe(SMALL.id);
    expect(models.error).toBeUndefined();
    expect(client.loads[0]?.record.id).toBe(SMALL.id);
    expect(client.loads[0]?.device).toBe('webgpu');
    expect(client.loads[0]?.filesBaseUrl).toContain(SMALL.repo);
    expect(client.listCalls).toBe(listsBefore + 1);
  });

  it('does not load before the probe has answered', async () => {
    const { client, models } = setup();
    await models.load(SMALL);
    expect(client.loads).toHaveLength(0);
    expect(models.status).toBe('probing');
  });

  it('keeps a failed load with its name and advice, and a retry loads', async () => {
    const { client, models } = setup();
    await models.probe();
    client.loadScript = () => Promise.reject(engineFailure('DownloadFailed', 'HTTP 404'));
    await models.load(SMALL);
    expect(models.status).toBe('error');
    expect(models.error?.name).toBe('DownloadFailed');
    expect(models.error?.message).toContain(ENGINE_ADVICE.DownloadFailed);
    expect(models.loaded).toBeUndefined();

    client.loadScript = (request) => Promise.resolve(loadedModel(request.record));
    await models.load(SMALL);
    expect(models.status).toBe('ready');
    expect(models.error).toBeUndefined();
  });

  it('ties a failed load to its build: another pick shows no error and no Retry', async () => {
    const { client, models } = setup();
    await models.probe();
    client.loadScript = () => Promise.reject(engineFailure('HostUnreachable', 'https://huggingface.co'));
    await models.load(SMALL);
    expect(models.errorModelId).toBe(SMALL.id);
    expect(models.errorFor(SMALL)?.name).toBe('HostUnreachable');
    expect(models.errorFor(WEB_LLM)).toBeUndefined();

    client.loadScript = (request) => Promise.resolve(loadedModel(request.record));
    await models.load(WEB_LLM);
    expect(models.errorFor(SMALL)).toBeUndefined();
    expect(models.errorModelId).toBeUndefined();
  });

  it('shows a failed GPU probe with every build, since it belongs to none', async () => {
    const { client, models } = setup();
    client.gpu = engineFailure('WebGPUUnavailable', 'no adapter');
    await models.probe();
    expect(models.errorFor(SMALL)?.name).toBe('WebGPUUnavailable');
    expect(models.errorFor(WEB_LLM)?.name).toBe('WebGPUUnavailable');
  });

  it('names an unnamed load failure Unknown, with what the engine said', async () => {
    const { client, models } = setup();
    await models.probe();
    client.loadScript = () => Promise.reject(new Error('something odd'));
    await models.load(SMALL);
    expect(models.error?.name).toBe('Unknown');
    expect(models.error?.message).toContain('something odd');
  });

  it('takes images only while a model loaded with its image encoder is ready', async () => {
    const { client, models } = setup();
    await models.probe();
    client.loadScript = (request) => Promise.resolve(loadedModel(request.record, { takesImages: true }));
    await models.load(SMALL);
    expect(models.takesImages).toBe(true);
    models.handleGenerationFailure({ name: 'DeviceLost', message: 'lost' });
    expect(models.takesImages).toBe(false);
  });
});

describe('a lost GPU and a restarted worker', () => {
  it('restarts the worker after DeviceLost, shows that failure, and the next load works', async () => {
    const { client, models } = setup();
    await models.probe();
    await models.load(SMALL);
    expect(models.status).toBe('ready');

    const lost = { name: 'DeviceLost' as const, message: ENGINE_ADVICE.DeviceLost };
    models.handleGenerationFailure(lost);
    expect(client.restarts).toEqual(['DeviceLost']);
    expect(models.status).toBe('error');
    // The restart's own WorkerCrashed does not cover up the cause.
    expect(models.error).toEqual(lost);
    expect(models.loaded).toBeUndefined();

    await models.load(SMALL);
    expect(models.status).toBe('ready');
    expect(models.loaded?.modelId).toBe(SMALL.id);
    expect(client.loads).toHaveLength(2);
  });

  it('leaves the model alone after a failure the GPU did not cause', async () => {
    const { client, models } = setup();
    await models.probe();
    await models.load(SMALL);
    models.handleGenerationFailure({ name: 'RemoteHttp', message: 'the remote side failed' });
    expect(client.restarts).toHaveLength(0);
    expect(models.status).toBe('ready');
  });

  it('shows the failure a worker restart carries', async () => {
    const { client, models } = setup();
    await models.probe();
    await models.load(SMALL);
    client.crash(engineFailure('WorkerHung', 'no answer for 60 s'));
    expect(models.status).toBe('error');
    expect(models.error?.name).toBe('WorkerHung');
    expect(models.error?.message).toContain('no answer for 60 s');
    expect(models.loaded).toBeUndefined();
  });
});

describe('start', () => {
  it('loads the last-used model by itself when it is stored', async () => {
    const { client, settings, storage, models } = setup();
    await settings.update({ selectedModelId: SMALL.id });
    client.cached = [cachedModel(SMALL)];
    await models.start();
    expect(storage.cached).toHaveLength(1);
    expect(client.loads.map((request) => request.record.id)).toEqual([SMALL.id]);
    expect(models.status).toBe('ready');
  });

  it('does not load a partial web-llm download by itself', async () => {
    const { client, settings, models } = setup();
    await settings.update({ selectedModelId: WEB_LLM.id });
    client.cached = [cachedModel(WEB_LLM, { complete: false })];
    await models.start();
    expect(models.cachedEntry(WEB_LLM)?.complete).toBe(false);
    expect(client.loads).toHaveLength(0);
    expect(models.status).toBe('idle');
  });

  it('does not download a model that is not stored', async () => {
    const { client, settings, models } = setup();
    await settings.update({ selectedModelId: SMALL.id });
    await models.start();
    expect(client.loads).toHaveLength(0);
    expect(models.status).toBe('idle');
  });

  it('shows a failed probe as an error and loads nothing', async () => {
    const { client, settings, models } = setup();
    await settings.update({ selectedModelId: SMALL.id });
    client.cached = [cachedModel(SMALL)];
    client.gpu = engineFailure('WebGPUUnavailable');
    await models.start();
    expect(models.status).toBe('error');
    expect(models.error?.name).toBe('WebGPUUnavailable');
    expect(client.loads).toHaveLength(0);
  });
});

describe('custom repos', () => {
  it('names a repo in the settings that does not parse, and lists the others', async () => {
    const { settings, models } = setup();
    expect(models.invalidRepoError).toBeUndefined();
    await settings.update({ customRepos: ['someone/Qwen3-tiny-ONNX', 'not a repo'] });
    expect(models.models.map((record) => record.repo)).toContain('someone/Qwen3-tiny-ONNX');
    expect(models.models.map((record) => record.repo)).not.toContain('not a repo');
    expect(models.invalidRepoError?.name).toBe('InvalidRepoId');
    expect(models.invalidRepoError?.message).toContain(PAGE_ADVICE.InvalidRepoId);
    expect(models.invalidRepoError?.message).toContain('not a repo');
  });

  it('adds a repo once and selects it', async () => {
    const { settings, models } = setup();
    const record = await models.addCustomRepo(' someone/Qwen3-tiny-ONNX ');
    await models.addCustomRepo('someone/Qwen3-tiny-ONNX');
    expect(settings.value.customRepos).toEqual(['someone/Qwen3-tiny-ONNX']);
    expect(models.selected?.id).toBe(record.id);
    expect(models.recordForRepo('someone/Qwen3-tiny-ONNX')?.id).toBe(record.id);
    await expect(models.addCustomRepo('nope')).rejects.toThrow();
  });
});
