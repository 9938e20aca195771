// Several remote sides: presets, one key per side (memory only unless remembered, moved from the single-side
// record of older versions), each side's settings carrying its own key and no other, a side that needs no key
// sending no Authorization header, and the limits on adding and removing sides.
import 'fake-indexeddb/auto';
import { clear, createStore, get, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { streamRemote } from '../../src/lib/remote/openai';
import { MAX_REMOTE_SIDES, SIDE_PRESETS, sideFromPreset } from '../../src/lib/remote/side-presets';
import { CompareState } from '../../src/lib/state/compare.svelte';
import { SettingsState } from '../../src/lib/state/settings.svelte';

// The app's own store (storage.ts keeps one connection open, so the database is cleared, not deleted).
const store = createStore('qwen-chat-app', 'data');
const appStore = () => store;

async function freshCompare(): Promise<CompareState> {
  await clear(store);
  return new CompareState(new SettingsState());
}

describe('remote side presets', () => {
  it('has GPT-5.2 (priced, proprietary), the big Qwen3.5 on vLLM (no key, no price, Apache-2.0) and a blank one', async () => {
    const compare = await freshCompare();
    expect(compare.sides.map((side) => side.id)).toEqual(['openai']);
    expect(compare.priceOf('openai')).toEqual({ inputPerMillion: 1.75, cachedInputPerMillion: 0.175, outputPerMillion: 14 });
    const vllm = await compare.addSide('vllm');
    expect(vllm).toMatchObject({ endpoint: 'http://localhost:8000/v1', model: 'Qwen/Qwen3.5-397B-A17B', api: 'chat', needsKey: false, licence: 'Apache-2.0', contextTokens: 262_144 });
    expect(compare.priceOf(vllm?.id ?? '')).toBeUndefined();
    expect(SIDE_PRESETS.openai).toMatchObject({ licence: 'proprietary', contextTokens: 400_000 });
    expect(SIDE_PRESETS.blank.needsKey).toBe(true);
  });

  it('gives every new side an id no other side has', () => {
    expect(sideFromPreset('openai', []).id).toBe('openai');
    expect(sideFromPreset('openai', ['openai']).id).toBe('openai-2');
    expect(sideFromPreset('vllm', ['vllm', 'vllm-2']).id).toBe('vllm-3');
  });

  it('adds up to three sides and never removes the last one', async () => {
    const compare = await freshCompare();
    await compare.addSide('vllm');
    await compare.addSide('blank');
    expect(compare.sides).toHaveLength(MAX_REMOTE_SIDES);
    expect(await compare.addSide('blank')).toBeUndefined();
    expect(compare.canAddSide).toBe(false);
    await compare.removeSide('vllm');
    await compare.removeSide('blank');
    await compare.removeSide('openai');
    expect(compare.sides.map((side) => side.id)).toEqual(['openai']);
  });
});

describe('keys per side', () => {
  it('hands each side its own key, and a side that needs none gets none', async () => {
    const compare = await freshCompare();
    const blank = await compare.addSide('blank');
    const vllm = await compare.addSide('vllm');
    if (!blank || !vllm) throw new Error('sides not added');
    await compare.setApiKey('openai', 'sk-openai');
    await compare.setApiKey(blank.id, 'sk-other');
    await compare.setApiKey(vllm.id, 'typed-by-mistake');
    expect(compare.remoteSettings('openai').apiKey).toBe('sk-openai');
    expect(compare.remoteSettings(blank.id).apiKey).toBe('sk-other');
    expect(compare.remoteSettings(vllm.id)).toMatchObject({ apiKey: '', needsKey: false, endpoint: 'http://localhost:8000/v1' });
    expect(compare.readySides.map((side) => side.id)).toEqual(['openai', blank.id, vllm.id]);
    await compare.clearApiKey(blank.id);
    expect(compare.sidesWithoutKey.map((side) => side.id)).toEqual([blank.id]);
  });

  it('compares a chat turn with the first chosen side that is ready', async () => {
    const compare = await freshCompare();
    const vllm = await compare.addSide('vllm');
    await compare.update({ enabled: true });
    // GPT-5.2 has no key yet: the vLLM side, which needs none, is the one a turn goes to.
    expect(compare.chatSide?.id).toBe(vllm?.id);
    expect(compare.active).toBe(true);
    await compare.setApiKey('openai', 'sk-openai');
    expect(compare.chatSide?.id).toBe('openai');
    await compare.updateSide('openai', { chosen: false });
    expect(compare.chatSide?.id).toBe(vllm?.id);
    await compare.updateSide(vllm?.id ?? '', { chosen: false });
    expect(compare.active).toBe(false);
  });

  it('stores a key only when remembered, deletes it when unticked or the side is removed', async () => {
    const compare = await freshCompare();
    const blank = await compare.addSide('blank');
    if (!blank) throw new Error('side not added');
    await compare.setApiKey(blank.id, 'sk-blank');
    expect(await get(`v1:remote-api-key:${blank.id}`, appStore())).toBeUndefined();
    await compare.setRememberKey(blank.id, true);
    expect(await get(`v1:remote-api-key:${blank.id}`, appStore())).toBe('sk-blank');
    expect(await get('v1:remote-api-key:openai', appStore())).toBeUndefined();
    await compare.removeSide(blank.id);
    expect(await get(`v1:remote-api-key:${blank.id}`, appStore())).toBeUndefined();
  });

  it('moves a key remembered by an older version to the first side', async () => {
    await clear(store);
    await set('v1:remote-api-key', 'sk-legacy', appStore());
    await set('v1:settings', { compare: { endpoint: 'https://api.openai.com/v1', model: 'gpt-5.2', rememberKey: true } }, appStore());
    const settings = new SettingsState();
    await settings.restore();
    const compare = new CompareState(settings);
    await compare.restore();
    expect(compare.remoteSettings('openai').apiKey).toBe('sk-legacy');
    expect(await get('v1:remote-api-key', appStore())).toBeUndefined();
    expect(await get('v1:remote-api-key:openai', appStore())).toBe('sk-legacy');
  });
});

describe('a side without a key', () => {
  it('sends no Authorization header when it needs no key, and refuses an empty key when it does', async () => {
    const seen: Headers[] = [];
    const fetchImpl: typeof fetch = async (_url, init) => {
      seen.push(new Headers(init?.headers));
      const body = 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n';
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    };
    const settings = { endpoint: 'http://localhost:8000/v1', apiKey: '', needsKey: false, model: 'Qwen/Qwen3.5-397B-A17B', api: 'chat', reasoningEffort: 'default' } as const;
    const texts: string[] = [];
    for await (const event of streamRemote(settings, [{ role: 'user', content: 'hello' }], undefined, fetchImpl)) {
      if (event.type === 'delta') texts.push(event.text);
    }
    expect(texts.join('')).toBe('hi');
    expect(seen[0]?.has('authorization')).toBe(false);
    const needsOne = streamRemote({ ...settings, needsKey: true }, [{ role: 'user', content: 'hello' }], undefined, fetchImpl);
    await expect(needsOne.next()).rejects.toMatchObject({ name: 'RemoteAuth' });
  });
});
