// The remote sides a user starts from, and the rules for adding one. Presets, not limits: every field stays
// editable, and any model id can be typed. Figures are sourced: GPT-5.2 has a 400,000-token context window and is
// proprietary (OpenAI's model page); Qwen3.5-397B-A17B is Apache-2.0 with a 262,144-token native context (its model
// card), served through the OpenAI-compatible API of vLLM or SGLang (Chat Completions, no key unless --api-key).
import type { RemoteSideSettings } from '../types';

/** Local plus three remote answers is as many columns as a wide screen reads side by side. */
export const MAX_REMOTE_SIDES = 3;

export type SidePresetId = 'openai' | 'vllm' | 'blank';

type SidePreset = Omit<RemoteSideSettings, 'id' | 'chosen' | 'rememberKey'>;

export const SIDE_PRESETS: Readonly<Record<SidePresetId, SidePreset & { label: string }>> = {
  openai: {
    label: 'OpenAI GPT-5.2',
    name: 'OpenAI GPT-5.2',
    endpoint: 'https://api.openai.com/v1',
    model: 'gpt-5.2',
    api: 'responses',
    reasoningEffort: 'default',
    needsKey: true,
    readsPictures: true,
    acceptsTools: true,
    licence: 'proprietary',
    contextTokens: 400_000,
  },
  vllm: {
    label: 'Qwen3.5-397B-A17B on vLLM or SGLang',
    name: 'Qwen3.5-397B-A17B',
    endpoint: 'http://localhost:8000/v1',
    model: 'Qwen/Qwen3.5-397B-A17B',
    api: 'chat',
    reasoningEffort: 'default',
    needsKey: false,
    readsPictures: true,
    acceptsTools: true,
    licence: 'Apache-2.0',
    contextTokens: 262_144,
  },
  blank: {
    label: 'Another OpenAI-compatible endpoint',
    name: 'OpenAI-compatible endpoint',
    endpoint: 'https://',
    model: '',
    api: 'chat',
    reasoningEffort: 'default',
    needsKey: true,
    readsPictures: false,
    acceptsTools: false,
    licence: 'unknown',
  },
};

/** The id the first side had before there were several: its remembered key and its answers keep working. */
export const FIRST_SIDE_ID = 'openai';

/** A side made from a preset, with an id no other side has. */
export function sideFromPreset(preset: SidePresetId, takenIds: readonly string[]): RemoteSideSettings {
  const { label, ...fields } = SIDE_PRESETS[preset];
  void label; // shown in the preset menu only, not kept with the side
  let id: string = preset === 'openai' && !takenIds.includes(FIRST_SIDE_ID) ? FIRST_SIDE_ID : preset;
  for (let n = 2; takenIds.includes(id); n += 1) id = `${preset}-${n}`;
  return { ...fields, id, chosen: true, rememberKey: false };
}

export function defaultSides(): RemoteSideSettings[] {
  return [sideFromPreset('openai', [])];
}
