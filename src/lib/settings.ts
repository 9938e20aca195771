// Default settings and the validation of stored ones: each field is taken from storage only if it has the right
// type and range, so an old or damaged record falls back field by field instead of breaking start-up.
import type { GenerationOptions } from '../../common/protocol';
import { DEFAULT_IDLE_TIMEOUT_S, validIdleTimeoutS } from './remote/idle-timeout';
import { DEFAULT_PRICES, type Price } from './remote/pricing';
import { defaultSides } from './remote/side-presets';
import { parseSides } from './remote/side-settings';
import type { CompareSettings, Settings } from './types';

export const DEFAULT_GENERATION: GenerationOptions = {
  maxNewTokens: 512,
  // Qwen's recommended sampling for non-thinking mode.
  temperature: 0.7,
  topP: 0.8,
  topK: 20,
  repetitionPenalty: 1,
  enableThinking: false,
};

/** Qwen's recommended sampling for each mode (from the Qwen3 model card). */
export const THINKING_SAMPLING = { temperature: 0.6, topP: 0.95, topK: 20 } as const;
export const NON_THINKING_SAMPLING = { temperature: 0.7, topP: 0.8, topK: 20 } as const;

/** The answer settings for a mode switch: the mode's recommended sampling, the rest unchanged. */
export function withThinking(options: GenerationOptions, enableThinking: boolean): GenerationOptions {
  return { ...options, ...(enableThinking ? THINKING_SAMPLING : NON_THINKING_SAMPLING), enableThinking };
}

/** Default context budget: enough for a long chat, small enough for a phone's GPU. */
export const DEFAULT_CONTEXT_TOKENS = 4096;

/** Seconds a worker call may show no progress, token or answer before the worker counts as hung (×5 on the CPU,
 * worker-watchdog.ts): long enough for a slow first token after a long prompt. */
export const DEFAULT_WATCHDOG_SECONDS = 120;
export const WATCHDOG_SECONDS_RANGE = { min: 10, max: 3600 } as const;

export const DEFAULT_COMPARE: CompareSettings = {
  enabled: false,
  sides: defaultSides(),
  blind: false,
  prices: { ...DEFAULT_PRICES },
  idleTimeoutS: DEFAULT_IDLE_TIMEOUT_S,
};

export function defaultSettings(modelBaseUrl: string): Settings {
  return {
    modelBaseUrl,
    customRepos: [],
    selectedModelId: undefined,
    systemPrompt: '',
    generation: { ...DEFAULT_GENERATION },
    contextTokens: DEFAULT_CONTEXT_TOKENS,
    watchdogSeconds: DEFAULT_WATCHDOG_SECONDS,
    compare: { ...DEFAULT_COMPARE, sides: defaultSides(), prices: { ...DEFAULT_COMPARE.prices } },
  };
}

function field<T>(raw: Record<string, unknown>, key: string, ok: (value: unknown) => value is T, fallback: T): T {
  const value = raw[key];
  return ok(value) ? value : fallback;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNumberIn =
  (min: number, max: number) =>
  (value: unknown): value is number =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isPrice = (value: unknown): value is Price =>
  isRecord(value) &&
  isNumberIn(0, 1e6)(value.inputPerMillion) &&
  (value.cachedInputPerMillion === undefined || isNumberIn(0, 1e6)(value.cachedInputPerMillion)) &&
  isNumberIn(0, 1e6)(value.outputPerMillion);
const isPriceTable = (value: unknown): value is Record<string, Price> =>
  isRecord(value) && Object.values(value).every(isPrice);

const isIdleTimeout = (value: unknown): value is number => typeof value === 'number' && validIdleTimeoutS(value) === value;

function parseCompare(raw: unknown, defaults: CompareSettings): CompareSettings {
  if (!isRecord(raw)) return defaults;
  return {
    enabled: field(raw, 'enabled', isBoolean, defaults.enabled),
    sides: parseSides(raw),
    blind: field(raw, 'blind', isBoolean, defaults.blind),
    prices: field(raw, 'prices', isPriceTable, defaults.prices),
    idleTimeoutS: field(raw, 'idleTimeoutS', isIdleTimeout, defaults.idleTimeoutS),
  };
}

export function parseSettings(raw: unknown, defaults: Settings): Settings {
  if (!isRecord(raw)) return defaults;
  const gen = isRecord(raw.generation) ? raw.generation : {};
  const base = defaults.generation;
  const selected = raw.selectedModelId;
  return {
    modelBaseUrl: field(raw, 'modelBaseUrl', isString, defaults.modelBaseUrl),
    customRepos: field(raw, 'customRepos', isStringArray, defaults.customRepos),
    selectedModelId: typeof selected === 'string' ? selected : defaults.selectedModelId,
    systemPrompt: field(raw, 'systemPrompt', isString, defaults.systemPrompt),
    generation: {
      maxNewTokens: field(gen, 'maxNewTokens', isNumberIn(1, 32768), base.maxNewTokens),
      temperature: field(gen, 'temperature', isNumberIn(0, 2), base.temperature),
      topP: field(gen, 'topP', isNumberIn(0, 1), base.topP),
      topK: field(gen, 'topK', isNumberIn(0, 1000), base.topK),
      repetitionPenalty: field(gen, 'repetitionPenalty', isNumberIn(1, 2), base.repetitionPenalty),
      enableThinking: field(gen, 'enableThinking', isBoolean, base.enableThinking),
    },
    contextTokens: field(raw, 'contextTokens', isNumberIn(256, 262_144), defaults.contextTokens),
    watchdogSeconds: field(
      raw,
      'watchdogSeconds',
      isNumberIn(WATCHDOG_SECONDS_RANGE.min, WATCHDOG_SECONDS_RANGE.max),
      defaults.watchdogSeconds,
    ),
    compare: parseCompare(raw.compare, defaults.compare),
  };
}
