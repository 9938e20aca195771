// Typed access to the state classes that App.svelte creates and hands down, so components (and tests) get them
// without importing singletons.
import { getContext, setContext } from 'svelte';
import type { AttachmentsState } from './state/attachments.svelte';
import type { ChatSession } from './state/chat-session.svelte';
import type { CompareState } from './state/compare.svelte';
import type { ModelManager } from './state/model-manager.svelte';
import type { ModelTransfer } from './state/model-transfer.svelte';
import type { SettingsState } from './state/settings.svelte';
import type { ShellState } from './state/shell.svelte';
import type { StorageState } from './state/storage-state.svelte';

export interface AppState {
  settings: SettingsState;
  models: ModelManager;
  storage: StorageState;
  transfer: ModelTransfer;
  chat: ChatSession;
  compare: CompareState;
  attachments: AttachmentsState;
  /** The shell's panels: `shell.openSettings()` opens the model and settings from any view. */
  shell: ShellState;
}

const KEY = Symbol('app-state');

export function provideAppState(state: AppState): void {
  setContext(KEY, state);
}

export function useAppState(): AppState {
  const state = getContext<AppState | undefined>(KEY);
  if (!state) throw new Error('useAppState() outside App: provideAppState() was not called');
  return state;
}
