// What this site stores on the device: the origin's usage against its quota, whether the browser keeps it under
// storage pressure (and its answer when asked), and the cached models of either engine, with delete.
// Invariants: a listing that fails never replaces the list by an empty one (the panel must not claim nothing is
// stored when it could not read); a failed listing or delete is kept as a named ShownError until the next success
// of the same kind; after every delete, successful or not, the list and the estimate are read again. A model that
// could not be stored for lack of space (QuotaExceeded) opens the Storage view, which shows that error until the
// user dismisses it, beside what can be deleted.
import { pageError, type ShownError } from '../errors';
import { hrefOf } from '../router.svelte';
import type { EngineClient } from '../engine-client';
import type { StorageInfo } from '../fit';
import type { CachedModel } from '../../../common/protocol';
import type { ModelRecord } from '../../../common/model-record';

/** The browser's storage manager, narrowed to what the storage panel needs (tests hand in a fake). */
export interface StorageApi {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persisted(): Promise<boolean>;
  persist(): Promise<boolean>;
}

/** What the device tells the page about itself (tests hand in a fake). */
export interface DeviceEnvironment {
  storage?: StorageApi;
  /** navigator.deviceMemory, in GiB. */
  memoryGiB?: number;
}

export function browserEnvironment(): DeviceEnvironment {
  const nav: Navigator | undefined = typeof navigator === 'undefined' ? undefined : navigator;
  const memory: unknown = nav ? Reflect.get(nav, 'deviceMemory') : undefined;
  return {
    storage: nav?.storage && typeof nav.storage.estimate === 'function' ? nav.storage : undefined,
    memoryGiB: typeof memory === 'number' && memory > 0 ? memory : undefined,
  };
}

/** 'persisted': already so before asking; 'granted' / 'refused': the browser's answer to our request. */
export type PersistState = 'not-persisted' | 'persisted' | 'granted' | 'refused' | 'unsupported';

/** `deleting` while everything is deleted. */
const ALL = '*';

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class StorageState {
  #client: EngineClient;
  #storage: StorageApi | undefined;
  #estimate = $state<StorageInfo | undefined>();
  #persist = $state<PersistState>('not-persisted');
  #cached = $state<CachedModel[]>([]);
  #deleting = $state<string | undefined>();
  #listError = $state<ShownError | undefined>();
  #deleteError = $state<ShownError | undefined>();
  #quotaProblem = $state<ShownError | undefined>();

  constructor(client: EngineClient, env: DeviceEnvironment = browserEnvironment()) {
    this.#client = client;
    this.#storage = env.storage;
    if (!env.storage) this.#persist = 'unsupported';
  }

  /** Usage and quota of this origin; undefined until read, or where the browser does not say. */
  get estimate(): StorageInfo | undefined {
    return this.#estimate;
  }
  get persistState(): PersistState {
    return this.#persist;
  }
  /** The last list that could be read. */
  get cached(): CachedModel[] {
    return this.#cached;
  }
  /** The repo being deleted, `*` while deleting everything, undefined otherwise. */
  get deleting(): string | undefined {
    return this.#deleting;
  }
  /** Set while the last listing failed: `cached` is then the last list that could be read, maybe stale. */
  get listError(): ShownError | undefined {
    return this.#listError;
  }
  /** Set while the last delete failed, naming the model that is still stored. */
  get deleteError(): ShownError | undefined {
    return this.#deleteError;
  }

  /** The QuotaExceeded error of the last model that could not be stored, until dismissed. */
  get quotaProblem(): ShownError | undefined {
    return this.#quotaProblem;
  }

  /**
   * A model could not be stored for lack of space: keep the error for the Storage view, read the usage again and
   * open that view, where the stored models can be deleted to make room.
   */
  async showQuotaProblem(failure: ShownError): Promise<void> {
    this.#quotaProblem = failure;
    if (typeof location !== 'undefined') location.hash = hrefOf('storage');
    await this.refresh();
  }

  dismissQuotaProblem(): void {
    this.#quotaProblem = undefined;
  }

  /** What is stored of this build, if anything. */
  cachedEntry(record: Pick<ModelRecord, 'repo' | 'engine'>): CachedModel | undefined {
    return this.#cached.find((entry) => entry.repo === record.repo && entry.engine === record.engine);
  }

  /** Reads the cache list and the storage estimate again. */
  async refresh(): Promise<void> {
    await Promise.all([this.refreshCache(), this.refreshStorage()]);
  }

  async refreshCache(): Promise<void> {
    try {
      this.#cached = await this.#client.listCachedModels();
      this.#listError = undefined;
    } catch (error) {
      this.#listError = pageError('CacheUnreadable', detailOf(error));
    }
  }

  async refreshStorage(): Promise<void> {
    const storage = this.#storage;
    if (!storage) return;
    try {
      const estimate = await storage.estimate();
      this.#estimate = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 };
      if (this.#persist === 'not-persisted' && (await storage.persisted())) this.#persist = 'persisted';
    } catch (error) {
      // The panel then says the browser does not tell its quota, which is what happened.
      console.error('[storage-state] could not read the storage estimate', error);
    }
  }

  /** Asks the browser to keep this site's data under storage pressure; the answer is kept for the panel. */
  async requestPersistence(): Promise<void> {
    const storage = this.#storage;
    if (!storage) return;
    try {
      this.#persist = (await storage.persist()) ? 'granted' : 'refused';
    } catch (error) {
      console.error('[storage-state] persist() failed', error);
      this.#persist = 'refused';
    }
  }

  async deleteCached(repo: string): Promise<void> {
    await this.#deleteEach(repo, [repo]);
  }

  /** Deletes every listed model, one after the other; the first that fails stops the rest and is named. */
  async deleteAllCached(): Promise<void> {
    await this.#deleteEach(ALL, this.#cached.map((entry) => entry.repo));
  }

  async #deleteEach(busyWith: string, repos: string[]): Promise<void> {
    if (this.#deleting !== undefined) return;
    this.#deleting = busyWith;
    let current: string | undefined;
    try {
      for (const repo of repos) {
        current = repo;
        await this.#client.deleteCachedModel(repo);
      }
      this.#deleteError = undefined;
    } catch (error) {
      this.#deleteError = pageError('DeleteFailed', `${current ?? busyWith}: ${detailOf(error)}`);
    } finally {
      this.#deleting = undefined;
      await this.refresh();
    }
  }
}
