// Models that travel as files: the sideload import of a model folder (or an exported .zip) from disk, and the
// export of a stored build as a .zip. The worker checks every imported file before it stores any; the target is the
// build the folder's manifest names (added as a custom repo when it is not in the catalogue), else the selected one.
// Invariants: one import and one export at a time; once an import has ended (done or failed) no late progress
// callback brings back its 'running' state; after every import the storage state reads the cache list again.
import { toEngineFailure, type EngineClient } from '../engine-client';
import type { ShownError } from '../errors';
import { buildArchive, exportFolderName, toModelFiles, type PickedFile } from '../model-folder';
import { MANIFEST_FILE } from '../../../common/model-manifest';
import type { SideloadFile, SideloadProgress, SideloadResult } from '../../../common/protocol';
import type { ModelRecord } from '../../../common/model-record';
import type { ModelManager } from './model-manager.svelte';
import type { StorageState } from './storage-state.svelte';

/** Where an import stands, for the storage panel. */
export type ImportState =
  | { kind: 'idle' }
  | { kind: 'running'; label: string; progress?: SideloadProgress }
  | { kind: 'done'; label: string; result: SideloadResult }
  | { kind: 'failed'; error: ShownError };

export interface ExportedArchive {
  name: string;
  archive: Blob;
}

/** The repo a picked folder's manifest names, if it has a readable one. */
async function manifestRepo(files: SideloadFile[]): Promise<string | undefined> {
  const manifest = files.find((file) => file.path === MANIFEST_FILE);
  if (!manifest) return undefined;
  try {
    const parsed: unknown = JSON.parse(await manifest.file.text());
    const repo: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'repo') : undefined;
    return typeof repo === 'string' ? repo : undefined;
  } catch {
    return undefined; // the worker names the broken manifest
  }
}

/** A named failure; for an unnamed one, what actually went wrong is more use than the generic advice. */
function shownFailure(error: unknown): ShownError {
  const failure = toEngineFailure(error);
  const message = failure.name === 'Unknown' && error instanceof Error ? error.message : failure.message;
  return { name: failure.name, message };
}

export class ModelTransfer {
  #client: EngineClient;
  #models: ModelManager;
  #storage: StorageState;
  #import = $state<ImportState>({ kind: 'idle' });
  #exporting = $state<string | undefined>();
  #exportError = $state<ShownError | undefined>();

  constructor(client: EngineClient, models: ModelManager, storage: StorageState) {
    this.#client = client;
    this.#models = models;
    this.#storage = storage;
  }

  get importState(): ImportState {
    return this.#import;
  }
  /** The repo being exported, undefined otherwise. */
  get exporting(): string | undefined {
    return this.#exporting;
  }
  get exportError(): ShownError | undefined {
    return this.#exportError;
  }

  /**
   * Imports a model folder from disk: the files are checked in the worker and stored all or nothing. On success the
   * target build is selected, so Load reads it from this device.
   */
  async importFiles(picked: PickedFile[]): Promise<void> {
    if (this.#import.kind === 'running') return;
    this.#import = { kind: 'running', label: 'Reading the files…' };
    let open = true;
    try {
      const files = await toModelFiles(picked);
      const named = await manifestRepo(files);
      const record = named === undefined ? this.#models.selected : await this.#recordToImport(named);
      if (!record) throw new Error('Pick the model these files belong to in the model list first.');
      this.#import = { kind: 'running', label: record.label };
      const result = await this.#client.sideloadModel({ record, files }, (progress) => {
        if (open) this.#import = { kind: 'running', label: record.label, progress };
      });
      open = false;
      this.#import = { kind: 'done', label: record.label, result };
      if (this.#models.selected?.id !== record.id) await this.#models.select(record.id);
    } catch (error) {
      open = false;
      this.#import = { kind: 'failed', error: shownFailure(error) };
    } finally {
      await this.#storage.refresh();
    }
  }

  async #recordToImport(repo: string): Promise<ModelRecord> {
    const known = this.#models.models.find((record) => record.repo === repo && record.importable);
    return known ?? this.#models.addCustomRepo(repo);
  }

  /** A .zip of a stored build whose files are plain (files plus a manifest of sizes and sha256), to pass on. */
  async exportArchive(repo: string): Promise<ExportedArchive | undefined> {
    if (this.#exporting !== undefined) return undefined;
    this.#exporting = repo;
    this.#exportError = undefined;
    try {
      const files = await this.#client.exportModel(repo);
      if (files.length === 0) throw new Error(`Nothing of ${repo} is stored on this device.`);
      return { name: `${exportFolderName(repo)}.zip`, archive: await buildArchive(repo, files) };
    } catch (error) {
      const failure = toEngineFailure(error);
      this.#exportError = { name: failure.name, message: error instanceof Error ? error.message : failure.message };
      return undefined;
    } finally {
      this.#exporting = undefined;
    }
  }
}
