// A load that fails because the model did not fit (QuotaExceeded) opens the Storage view on that error, which the
// storage state keeps (with the usage read again) until the user dismisses it; other load failures do not.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import { catalogueBuild, engineFailure, FakeEngineClient, roomyDevice } from './fake-engine-client';

const SMALL = catalogueBuild('qwen3-0.6b-onnx');

function setup(): { client: FakeEngineClient; storage: StorageState; models: ModelManager; location: { hash: string } } {
  const location = { hash: '#/' };
  vi.stubGlobal('location', location);
  const client = new FakeEngineClient();
  const env = roomyDevice();
  const storage = new StorageState(client, env);
  const models = new ModelManager(client, new SettingsState(), storage, env);
  return { client, storage, models, location };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('a model that does not fit', () => {
  it('opens the Storage view on the QuotaExceeded error, kept there until dismissed', async () => {
    const { client, storage, models, location } = setup();
    await models.probe();
    const failure = engineFailure('QuotaExceeded', 'onnx/model.onnx (570.0 MiB) did not fit, 570.0 MiB more are needed');
    client.loadScript = () => Promise.reject(failure);
    const listsBefore = client.listCalls;
    await models.load(SMALL);

    expect(models.error?.name).toBe('QuotaExceeded');
    expect(location.hash).toBe('#/storage');
    expect(storage.quotaProblem).toEqual({ name: 'QuotaExceeded', message: failure.message });
    expect(client.listCalls).toBeGreaterThan(listsBefore);
    storage.dismissQuotaProblem();
    expect(storage.quotaProblem).toBeUndefined();
  });

  it('another load failure stays with the model settings and opens nothing', async () => {
    const { client, storage, models, location } = setup();
    await models.probe();
    client.loadScript = () => Promise.reject(engineFailure('DownloadFailed'));
    await models.load(SMALL);
    expect(models.error?.name).toBe('DownloadFailed');
    expect(location.hash).toBe('#/');
    expect(storage.quotaProblem).toBeUndefined();
  });
});
