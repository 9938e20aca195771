// StorageState with a fake engine client and a fake storage manager: a listing that fails is shown as
// CacheUnreadable and keeps the last list; a delete that fails is shown as DeleteFailed, naming the model, and the
// list is read again; delete all; the estimate; and persistence granted, refused, failing and unsupported.
import { describe, expect, it, vi } from 'vitest';
import { PAGE_ADVICE } from '../../../src/lib/errors';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import { cachedModel, FakeEngineClient, FakeStorageApi } from './fake-engine-client';

const ONE = cachedModel({ repo: 'org/one', engine: 'transformers' }, { bytes: 100 });
const TWO = cachedModel({ repo: 'org/two', engine: 'web-llm' }, { bytes: 200 });

/** `null`: a browser without a storage manager. */
function setup(api: FakeStorageApi | null = new FakeStorageApi()): { client: FakeEngineClient; storage: StorageState } {
  const client = new FakeEngineClient();
  client.cached = [ONE, TWO];
  return { client, storage: new StorageState(client, { storage: api ?? undefined }) };
}

describe('the cached-model list', () => {
  it('lists what the worker has stored, and finds a build in it', async () => {
    const { storage } = setup();
    await storage.refreshCache();
    expect(storage.cached.map((entry) => entry.repo)).toEqual(['org/one', 'org/two']);
    expect(storage.cachedEntry({ repo: 'org/two', engine: 'web-llm' })?.bytes).toBe(200);
    expect(storage.cachedEntry({ repo: 'org/two', engine: 'transformers' })).toBeUndefined();
    expect(storage.listError).toBeUndefined();
  });

  it('shows CacheUnreadable when the list cannot be read and keeps the last list, until a listing works', async () => {
    const { client, storage } = setup();
    await storage.refreshCache();
    client.listFailure = new Error('IndexedDB is closed');
    await storage.refreshCache();
    expect(storage.listError?.name).toBe('CacheUnreadable');
    expect(storage.listError?.message).toContain(PAGE_ADVICE.CacheUnreadable);
    expect(storage.listError?.message).toContain('IndexedDB is closed');
    expect(storage.cached).toHaveLength(2);

    client.listFailure = undefined;
    client.cached = [ONE];
    await storage.refreshCache();
    expect(storage.listError).toBeUndefined();
    expect(storage.cached).toEqual([ONE]);
  });
});

describe('delete', () => {
  it('deletes one model and reads the list and the estimate again', async () => {
    const api = new FakeStorageApi();
    const { client, storage } = setup(api);
    await storage.refresh();
    api.usage = 5;
    const deleting = storage.deleteCached('org/one');
    expect(storage.deleting).toBe('org/one');
    await storage.deleteCached('org/two'); // ignored while a delete runs
    await deleting;
    expect(client.deleted).toEqual(['org/one']);
    expect(storage.cached).toEqual([TWO]);
    expect(storage.estimate?.usage).toBe(5);
    expect(storage.deleting).toBeUndefined();
    expect(storage.deleteError).toBeUndefined();
  });

  it('shows DeleteFailed naming the model, reads the list again, and clears it on the next delete that works', async () => {
    const { client, storage } = setup();
    await storage.refreshCache();
    client.undeletable.add('org/one');
    client.cached = [ONE]; // changed meanwhile (another tab): the refresh after the failure shows it
    await storage.deleteCached('org/one');
    expect(storage.deleteError?.name).toBe('DeleteFailed');
    expect(storage.deleteError?.message).toContain(PAGE_ADVICE.DeleteFailed);
    expect(storage.deleteError?.message).toContain('org/one');
    expect(storage.cached).toEqual([ONE]);
    expect(storage.deleting).toBeUndefined();

    client.undeletable.clear();
    await storage.deleteCached('org/one');
    expect(storage.deleteError).toBeUndefined();
    expect(storage.cached).toEqual([]);
  });

  it('deletes every listed model', async () => {
    const { client, storage } = setup();
    await storage.refreshCache();
    const deleting = storage.deleteAllCached();
    expect(storage.deleting).toBe('*');
    await deleting;
    expect(client.deleted).toEqual(['org/one', 'org/two']);
    expect(storage.cached).toEqual([]);
    expect(storage.deleting).toBeUndefined();
  });

  it('names the model that could not be deleted when deleting all', async () => {
    const { client, storage } = setup();
    await storage.refreshCache();
    client.undeletable.add('org/two');
    await storage.deleteAllCached();
    expect(client.deleted).toEqual(['org/one']);
    expect(storage.deleteError?.name).toBe('DeleteFailed');
    expect(storage.deleteError?.message).toContain('org/two');
    expect(storage.cached).toEqual([TWO]);
  });
});

describe('estimate and persistence', () => {
  it('reads usage and quota, and notices storage that is already persistent', async () => {
    const api = new FakeStorageApi();
    api.usage = 10;
    api.quota = 1000;
    api.alreadyPersisted = true;
    const { storage } = setup(api);
    expect(storage.persistState).toBe('not-persisted');
    await storage.refreshStorage();
    expect(storage.estimate).toEqual({ usage: 10, quota: 1000 });
    expect(storage.persistState).toBe('persisted');
  });

  it.each([
    [true, 'granted'],
    [false, 'refused'],
  ] as const)('keeps the browser’s answer to the request (%s: %s)', async (answer, state) => {
    const api = new FakeStorageApi();
    api.persistAnswer = answer;
    const { storage } = setup(api);
    await storage.requestPersistence();
    expect(api.persistCalls).toBe(1);
    expect(storage.persistState).toBe(state);
  });

  it('counts a persist() that throws as refused', async () => {
    const api = new FakeStorageApi();
    api.persistAnswer = new Error('not allowed');
    const { storage } = setup(api);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await storage.requestPersistence();
    expect(storage.persistState).toBe('refused');
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });

  it('says unsupported where the browser has no storage manager, also after asking', async () => {
    const { storage } = setup(null);
    expect(storage.persistState).toBe('unsupported');
    await storage.refreshStorage();
    await storage.requestPersistence();
    expect(storage.persistState).toBe('unsupported');
    expect(storage.estimate).toBeUndefined();
  });
});
