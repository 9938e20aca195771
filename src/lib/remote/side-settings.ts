// Stored remote sides, read field by field: a damaged field falls back to the preset's value, a damaged side is
// left out, and settings saved before there were several sides (one endpoint, model, API and effort at the top of
// the comparison settings) become the first side, with the id its remembered key is found by.
import { isRecord } from '../../../common/guards';
import type { ReasoningEffort, RemoteApi, RemoteSideSettings } from '../types';
import { MAX_REMOTE_SIDES, SIDE_PRESETS, defaultSides, sideFromPreset } from './side-presets';

const EFFORTS: readonly ReasoningEffort[] = ['default', 'none', 'minimal', 'low', 'medium', 'high', 'xhigh'];
const MAX_FIELD_CHARS = 2_000;

const isText = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_FIELD_CHARS;
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isApi = (value: unknown): value is RemoteApi => value === 'responses' || value === 'chat';
const isEffort = (value: unknown): value is ReasoningEffort => EFFORTS.some((effort) => effort === value);
const isContext = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 100_000_000;

function pick<T>(raw: Record<string, unknown>, key: string, ok: (value: unknown) => value is T, fallback: T): T {
  const value = raw[key];
  return ok(value) ? value : fallback;
}

function parseSide(raw: Record<string, unknown>, id: string): RemoteSideSettings {
  const base = SIDE_PRESETS.openai;
  const side: RemoteSideSettings = {
    id,
    name: pick(raw, 'name', isText, base.name),
    endpoint: pick(raw, 'endpoint', isText, base.endpoint),
    model: pick(raw, 'model', isText, base.model),
    api: pick(raw, 'api', isApi, base.api),
    reasoningEffort: pick(raw, 'reasoningEffort', isEffort, base.reasoningEffort),
    needsKey: pick(raw, 'needsKey', isBoolean, true),
    rememberKey: pick(raw, 'rememberKey', isBoolean, false),
    readsPictures: pick(raw, 'readsPictures', isBoolean, false),
    acceptsTools: pick(raw, 'acceptsTools', isBoolean, false),
    licence: pick(raw, 'licence', isText, 'unknown'),
    chosen: pick(raw, 'chosen', isBoolean, true),
  };
  if (isContext(raw.contextTokens)) side.contextTokens = raw.contextTokens;
  return side;
}

/** The single side of settings saved before sides existed: GPT-5.2's preset with what the user had set. */
function legacySide(raw: Record<string, unknown>): RemoteSideSettings {
  const side = sideFromPreset('openai', []);
  const preset = SIDE_PRESETS.openai;
  side.endpoint = pick(raw, 'endpoint', isText, preset.endpoint);
  side.model = pick(raw, 'model', isText, preset.model);
  side.api = pick(raw, 'api', isApi, preset.api);
  side.reasoningEffort = pick(raw, 'reasoningEffort', isEffort, preset.reasoningEffort);
  side.rememberKey = pick(raw, 'rememberKey', isBoolean, false);
  if (side.endpoint !== preset.endpoint || side.model !== preset.model) {
    // Another host or model: GPT-5.2's name, licence and context would be wrong for it.
    side.name = side.model || 'Remote model';
    side.licence = 'unknown';
    delete side.contextTokens;
  }
  return side;
}

/** The sides of stored comparison settings: 1 to MAX_REMOTE_SIDES, ids unique. */
export function parseSides(rawCompare: Record<string, unknown>): RemoteSideSettings[] {
  if (!Array.isArray(rawCompare.sides)) {
    return 'endpoint' in rawCompare || 'model' in rawCompare ? [legacySide(rawCompare)] : defaultSides();
  }
  const sides: RemoteSideSettings[] = [];
  for (const entry of rawCompare.sides.slice(0, 50)) {
    if (sides.length === MAX_REMOTE_SIDES) break;
    if (!isRecord(entry) || !isText(entry.id) || entry.id === '') continue;
    if (sides.some((side) => side.id === entry.id)) continue;
    sides.push(parseSide(entry, entry.id));
  }
  return sides.length > 0 ? sides : defaultSides();
}
