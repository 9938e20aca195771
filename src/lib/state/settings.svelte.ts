// Settings as runes state: read once at start, written back on every change.
import { DEFAULT_MODEL_BASE_URL } from '../../../common/model-urls';
import { defaultSettings, parseSettings } from '../settings';
import { loadSettings, saveSettings } from '../storage';
import type { Settings } from '../types';

export class SettingsState {
  #value = $state<Settings>(defaultSettings(DEFAULT_MODEL_BASE_URL));

  get value(): Settings {
    return this.#value;
  }

  async restore(): Promise<void> {
    try {
      this.#value = parseSettings(await loadSettings(), defaultSettings(DEFAULT_MODEL_BASE_URL));
    } catch (error) {
      console.error('[settings] could not read stored settings; using defaults', error);
    }
  }

  async update(change: Partial<Settings>): Promise<void> {
    this.#value = { ...this.#value, ...change };
    await saveSettings($state.snapshot(this.#value));
  }
}
