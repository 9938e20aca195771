// ModelManager after the worker crashed or hung mid-answer: the restart's named error is shown, the model that was
// loaded is loaded again at once (from the store: the worker reads it back from IndexedDB), so the next message
// works; a load that fails then is shown and not retried again by itself; a lost GPU still waits for the user.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import { catalogueBuild, deferred, engineFailure, FakeEngineClient, loadedModel, roomyDevice } from './fake-engine-client';

const SMALL = catalogueBuild('qwen3-0.6b-onnx');

async function ready(): Promise<{ client: FakeEngineClient; models: ModelManager }> {
  const client = new FakeEngineClient();
  const env = roomyDevice();
  const models = new ModelManager(client, new SettingsState(), new StorageState(client, env), env);
  await models.probe();
  await models.load(SMALL);
  return { client, models };
}

describe('a crashed or hung worker mid-answer', () => {
  for (const name of ['WorkerCrashed', 'WorkerHung'] as const) {
    it(`${name}: shown, then the same model loads again by itself`, async () => {
      const { client, models } = await ready();
      const reload = deferred<ReturnType<typeof loadedModel>>();
      client.loadScript = () => reload.promise;
      const failure = engineFailure(name, 'from the test');
      client.crash(failure); // the client's restart: what the view shows first
      expect(models.status).toBe('error');
      expect(models.error?.name).toBe(name);

      models.handleGenerationFailure({ name: failure.name, message: failure.message }); // the answer's failure
      expect(models.status).toBe('loading');
      expect(client.loads.map((request) => request.record.id)).toEqual([SMALL.id, SMALL.id]);
      reload.resolve(loadedModel(SMALL, { filesDownloaded: 0, filesFromCache: 3 }));
      await expect.poll(() => models.status).toBe('ready');
      expect(models.loaded?.modelId).toBe(SMALL.id);
    });
  }

  it('a reload that fails is shown and not tried again by itself', async () => {
    const { client, models } = await ready();
    client.loadScript = () => Promise.reject(engineFailure('WorkerHung', 'the load hung too'));
    const failure = engineFailure('WorkerHung');
    client.crash(failure);
    models.handleGenerationFailure({ name: failure.name, message: failure.message });
    await expect.poll(() => models.status).toBe('error');
    expect(models.error?.message).toContain('the load hung too');
    expect(client.loads).toHaveLength(2);
  });

  it('a lost GPU still waits for the user (Retry or a smaller build)', async () => {
    const { client, models } = await ready();
    models.handleGenerationFailure({ name: 'DeviceLost', message: 'lost' });
    expect(models.status).toBe('error');
    expect(client.loads).toHaveLength(1);
  });
});

describe('a crash after another failure', () => {
  it('does not reload by itself when another error was already shown', async () => {
    const { client, models } = await ready();
    models.handleGenerationFailure({ name: 'DeviceLost', message: 'lost' }); // some other error is shown
    const crash = engineFailure('WorkerCrashed');
    client.crash(crash);
    models.handleGenerationFailure({ name: crash.name, message: crash.message });
    expect(models.error?.name).toBe('DeviceLost');
    expect(client.loads).toHaveLength(1);
  });
});
