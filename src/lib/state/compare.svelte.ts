// The GPT-5.2 side of a comparison: its settings, the API key, prices and the blind-vote tally. The key lives in
// memory only, unless the user ticks "remember on this device"; then (and only then) it is also stored in
// IndexedDB, and unticking or clearing deletes it there. It is never logged and goes only to the endpoint set.
import { tally, voteRows, type Tally, type VoteRow } from '../compare';
import { validIdleTimeoutS } from '../remote/idle-timeout';
import { priceFor, type Price } from '../remote/pricing';
import type { RemoteSettings } from '../remote/openai';
import { deleteRemoteApiKey, loadRemoteApiKey, saveRemoteApiKey } from '../storage';
import type { CompareSettings, Conversation } from '../types';
import type { SettingsState } from './settings.svelte';

export class CompareState {
  #settings: SettingsState;
  #apiKey = $state('');

  constructor(settings: SettingsState) {
    this.#settings = settings;
  }

  get settings(): CompareSettings {
    return this.#settings.value.compare;
  }
  get hasKey(): boolean {
    return this.#apiKey.trim().length > 0;
  }
  /** A turn is compared only when the switch is on and there is a key: no key, no remote call and no error. */
  get active(): boolean {
    return this.settings.enabled && this.hasKey;
  }
  /** Undefined for a model the price table does not know: its cost then reads "unknown", never "$0". */
  get price(): Price | undefined {
    return priceFor(this.settings.model, this.settings.prices);
  }

  /** Seconds of silence from the endpoint after which the remote answer stops with RemoteTimeout. */
  get idleTimeoutS(): number {
    return this.settings.idleTimeoutS;
  }

  /** Takes a wait within the accepted bounds and says whether it did; other input leaves the wait as it was. */
  async setIdleTimeout(seconds: number): Promise<boolean> {
    const valid = validIdleTimeoutS(seconds);
    if (valid === undefined) return false;
    await this.update({ idleTimeoutS: valid });
    return true;
  }

  async restore(): Promise<void> {
    if (!this.settings.rememberKey) return;
    try {
      this.#apiKey = await loadRemoteApiKey();
    } catch (error) {
      console.error('[compare] could not read the remembered key', error instanceof Error ? error.name : 'error');
    }
  }

  async update(change: Partial<CompareSettings>): Promise<void> {
    await this.#settings.update({ compare: { ...$state.snapshot(this.settings), ...change } });
  }

  async setApiKey(key: string): Promise<void> {
    this.#apiKey = key.trim();
    if (this.settings.rememberKey) await saveRemoteApiKey(this.#apiKey);
  }

  async setRememberKey(remember: boolean): Promise<void> {
    await this.update({ rememberKey: remember });
    if (remember && this.hasKey) await saveRemoteApiKey(this.#apiKey);
    if (!remember) await deleteRemoteApiKey();
  }

  async clearApiKey(): Promise<void> {
    this.#apiKey = '';
    await deleteRemoteApiKey();
  }

  async setPrice(model: string, price: Price): Promise<void> {
    await this.update({ prices: { ...$state.snapshot(this.settings.prices), [model]: price } });
  }

  remoteSettings(): RemoteSettings {
    const { endpoint, model, api, reasoningEffort } = this.settings;
    return { endpoint, apiKey: this.#apiKey, model, api, reasoningEffort, idleTimeoutMs: this.settings.idleTimeoutS * 1000 };
  }

  votes(conversations: readonly Conversation[]): { rows: VoteRow[]; tally: Tally } {
    const rows = voteRows(conversations);
    return { rows, tally: tally(rows) };
  }
}
