// ModelManager and the other tabs: another tab deleting the model loaded here turns it into a named error at once
// (with Retry, which downloads it again), any change there re-reads the store list here, and a delete of some
// other model leaves the loaded one alone.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { PAGE_ADVICE } from '../../../src/lib/errors';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import type { StoreChange, TabChannel } from '../../../src/lib/tabs';
import { cachedModel, catalogueBuild, FakeEngineClient, roomyDevice } from './fake-engine-client';

const SMALL = catalogueBuild('qwen3-0.6b-onnx');
const OTHER = catalogueBuild('webllm:Qwen3-0.6B-q4f16_1-MLC');

/** Stands in for the other tabs: the test says what they announce. */
class OtherTabs implements TabChannel {
  readonly #listeners = new Set<(change: StoreChange) => void>();
  announce(): void {}
  listen(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  say(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

async function readyWith(record = SMALL): Promise<{ client: FakeEngineClient; models: ModelManager; storage: StorageState; tabs: OtherTabs }> {
  const client = new FakeEngineClient();
  const env = roomyDevice();
  const storage = new StorageState(client, env);
  const tabs = new OtherTabs();
  const models = new ModelManager(client, new SettingsState(), storage, env, undefined, tabs);
  client.cached = [cachedModel(SMALL), cachedModel(OTHER)];
  await models.probe();
  await models.load(record);
  expect(models.status).toBe('ready');
  return { client, models, storage, tabs };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('another tab deletes a model', () => {
  it('the model loaded here: a named error at once, the list re-read, and Retry loads (downloads) it again', async () => {
    const { client, models, storage, tabs } = await readyWith();
    client.cached = [cachedModel(OTHER)]; // what the other tab left in the shared store
    const listsBefore = client.listCalls;
    tabs.say({ kind: 'deleted', repo: SMALL.repo });
    expect(models.status).toBe('error');
    expect(models.error).toEqual({ name: 'ModelDeletedInOtherTab', message: PAGE_ADVICE.ModelDeletedInOtherTab });
    expect(models.errorFor(SMALL)).toBeDefined();
    expect(models.loaded).toBeUndefined();
    await settle();
    expect(client.listCalls).toBeGreaterThan(listsBefore);
    expect(storage.cachedEntry(SMALL)).toBeUndefined();

    await models.load(SMALL);
    expect(models.status).toBe('ready');
    expect(client.loads.map((request) => request.record.id)).toEqual([SMALL.id, SMALL.id]);
  });

  it('another model: the loaded one stays ready, and the list is still re-read', async () => {
    const { client, models, tabs } = await readyWith();
    const listsBefore = client.listCalls;
    tabs.say({ kind: 'deleted', repo: OTHER.repo });
    expect(models.status).toBe('ready');
    expect(models.error).toBeUndefined();
    await settle();
    expect(client.listCalls).toBeGreaterThan(listsBefore);
  });

  it('a model stored in another tab only re-reads the list', async () => {
    const { client, models, tabs } = await readyWith();
    const listsBefore = client.listCalls;
    tabs.say({ kind: 'stored', repo: SMALL.repo });
    expect(models.status).toBe('ready');
    await settle();
    expect(client.listCalls).toBeGreaterThan(listsBefore);
  });
});
