// The Storage view's entry, loaded with a dynamic import() the first time the view is opened, so that its panel, the
// sideload import and the model transfer (with the model-folder code) stay out of the app's initial JS. App.svelte
// keeps what this returns, so an import or an export goes on, and its state stays, while the user visits other views.
import type { EngineClient } from '../engine-client';
import type { ModelManager } from '../state/model-manager.svelte';
import { ModelTransfer } from '../state/model-transfer.svelte';
import type { StorageState } from '../state/storage-state.svelte';
import StoragePanel from './StoragePanel.svelte';

export interface StoragePageDeps {
  client: EngineClient;
  models: ModelManager;
  storage: StorageState;
}

export interface StoragePage {
  View: typeof StoragePanel;
  transfer: ModelTransfer;
}

export function createStoragePage({ client, models, storage }: StoragePageDeps): StoragePage {
  return { View: StoragePanel, transfer: new ModelTransfer(client, models, storage) };
}
