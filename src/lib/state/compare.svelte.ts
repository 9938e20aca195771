// The remote sides of a comparison: their settings, one API key per side, prices and the blind-vote tally. A key
// lives in memory only, unless the user ticks "remember on this device" for that side; then (and only then) it is
// also stored in IndexedDB, and unticking, clearing or removing the side deletes it there. It is never logged and
// goes only to its own side's endpoint (remoteSettings hands each side its own key, nobody else's).
import { tally, voteRows, type Tally, type VoteRow } from '../compare';
import { validIdleTimeoutS } from '../remote/idle-timeout';
import { priceFor, type Price } from '../remote/pricing';
import type { RemoteSettings } from '../remote/openai';
import { MAX_REMOTE_SIDES, sideFromPreset, type SidePresetId } from '../remote/side-presets';
import { deleteRemoteApiKey, loadRemoteApiKey, saveRemoteApiKey } from '../storage';
import type { CompareSettings, Conversation, RemoteSideSettings } from '../types';
import type { SettingsState } from './settings.svelte';

export class CompareState {
  #settings: SettingsState;
  /** Keys by side id, in memory. */
  #keys = $state<Record<string, string>>({});

  constructor(settings: SettingsState) {
    this.#settings = settings;
  }

  get settings(): CompareSettings {
    return this.#settings.value.compare;
  }
  get sides(): readonly RemoteSideSettings[] {
    return this.settings.sides;
  }
  side(id: string): RemoteSideSettings | undefined {
    return this.sides.find((side) => side.id === id);
  }
  get canAddSide(): boolean {
    return this.sides.length < MAX_REMOTE_SIDES;
  }

  /** A side that needs no key (a local vLLM server) always has what it needs. */
  hasKey(id: string): boolean {
    return (this.#keys[id] ?? '').trim().length > 0;
  }
  ready(side: RemoteSideSettings): boolean {
    return !side.needsKey || this.hasKey(side.id);
  }
  /** The chosen sides that can be called now (a side that needs a key has one). */
  get readySides(): RemoteSideSettings[] {
    return this.sides.filter((side) => side.chosen && this.ready(side));
  }
  /** Chosen sides still waiting for a key: the chat says so instead of failing a call. */
  get sidesWithoutKey(): RemoteSideSettings[] {
    return this.sides.filter((side) => side.chosen && !this.ready(side));
  }

  /** The side a compared chat turn goes to: the first chosen one that is ready. */
  get chatSide(): RemoteSideSettings | undefined {
    return this.readySides[0];
  }
  /** A turn is compared only when the switch is on and a side is ready: no key, no remote call and no error. */
  get active(): boolean {
    return this.settings.enabled && this.chatSide !== undefined;
  }
  get blind(): boolean {
    return this.settings.blind;
  }
  get model(): string {
    return this.chatSide?.model ?? this.sides[0]?.model ?? '';
  }
  /** The chat side's price; undefined for a model the price table does not know: its cost reads "unknown". */
  get price(): Price | undefined {
    const side = this.chatSide;
    return side ? this.priceOf(side.id) : undefined;
  }
  priceOf(id: string): Price | undefined {
    const side = this.side(id);
    return side ? priceFor(side.model, this.settings.prices) : undefined;
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
    for (const side of this.sides) {
      if (!side.rememberKey) continue;
      try {
        const key = await loadRemoteApiKey(side.id);
        if (key !== '') this.#keys[side.id] = key;
      } catch (error) {
        console.error('[compare] could not read a remembered key', error instanceof Error ? error.name : 'error');
      }
    }
  }

  async update(change: Partial<Omit<CompareSettings, 'sides'>>): Promise<void> {
    await this.#writeSides(this.sides, change);
  }

  async updateSide(id: string, change: Partial<Omit<RemoteSideSettings, 'id'>>): Promise<void> {
    await this.#writeSides(this.sides.map((side) => (side.id === id ? { ...$state.snapshot(side), ...change } : side)));
  }

  /** Adds a side from a preset, up to MAX_REMOTE_SIDES; returns it, or undefined when there is no room. */
  async addSide(preset: SidePresetId): Promise<RemoteSideSettings | undefined> {
    if (!this.canAddSide) return undefined;
    const side = sideFromPreset(preset, this.sides.map((existing) => existing.id));
    await this.#writeSides([...this.sides, side]);
    return side;
  }

  /** Removes a side and forgets its key everywhere; the last side stays (it can be switched off instead). */
  async removeSide(id: string): Promise<void> {
    if (this.sides.length <= 1) return;
    await this.clearApiKey(id);
    await this.#writeSides(this.sides.filter((side) => side.id !== id));
  }

  async setApiKey(id: string, key: string): Promise<void> {
    this.#keys[id] = key.trim();
    if (this.side(id)?.rememberKey) await saveRemoteApiKey(id, this.#keys[id]);
  }

  async setRememberKey(id: string, remember: boolean): Promise<void> {
    await this.updateSide(id, { rememberKey: remember });
    if (remember && this.hasKey(id)) await saveRemoteApiKey(id, this.#keys[id] ?? '');
    if (!remember) await deleteRemoteApiKey(id);
  }

  async clearApiKey(id: string): Promise<void> {
    delete this.#keys[id];
    await deleteRemoteApiKey(id);
  }

  async setPrice(model: string, price: Price): Promise<void> {
    await this.update({ prices: { ...$state.snapshot(this.settings.prices), [model]: price } });
  }

  /** What the client needs to call one side (the chat side by default), with that side's key and no other. */
  remoteSettings(id = this.chatSide?.id ?? this.sides[0]?.id ?? ''): RemoteSettings {
    const side = this.side(id);
    if (!side) throw new Error(`No remote side "${id}".`);
    const { endpoint, model, api, reasoningEffort, needsKey } = side;
    // A side that needs no key sends none, even one typed earlier: a local server gets no bearer token.
    const apiKey = needsKey ? (this.#keys[id] ?? '') : '';
    return { endpoint, apiKey, needsKey, model, api, reasoningEffort, idleTimeoutMs: this.settings.idleTimeoutS * 1000 };
  }

  votes(conversations: readonly Conversation[]): { rows: VoteRow[]; tally: Tally } {
    const rows = voteRows(conversations);
    return { rows, tally: tally(rows) };
  }

  async #writeSides(sides: readonly RemoteSideSettings[], change: Partial<Omit<CompareSettings, 'sides'>> = {}): Promise<void> {
    const current = $state.snapshot(this.settings);
    await this.#settings.update({ compare: { ...current, ...change, sides: sides.map((side) => $state.snapshot(side)) } });
  }
}
