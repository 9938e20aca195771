// Every catalogue build of both engines, plus the record for a repo the user names: `ALL_BUILDS` is the list the
// picker shows, `findModel` turns a stored id back into its record, `customModelRecord` makes one for `org/name`.
import { freezeRecord, type ModelRecord } from '../model-record';
import { isRepoId, requireRepoId } from '../model-urls';
import { CATALOG } from './transformers-builds';
import { WEB_LLM_CATALOG } from './web-llm-builds';

const CUSTOM_ID_PREFIX = 'custom:';

/** Every catalogue build of both engines: transformers.js first, then web-llm. */
export const ALL_BUILDS: readonly ModelRecord[] = Object.freeze([...CATALOG, ...WEB_LLM_CATALOG]);

/**
 * The record with this id: a catalogue build of either engine, or, for an id `custom:<org>/<name>` (what
 * customModelRecord gives), that custom build again. Undefined for anything else.
 */
export function findModel(id: string): ModelRecord | undefined {
  const known = ALL_BUILDS.find((record) => record.id === id);
  if (known) return known;
  if (!id.startsWith(CUSTOM_ID_PREFIX)) return undefined;
  const repo = id.slice(CUSTOM_ID_PREFIX.length);
  return isRepoId(repo) ? customModelRecord(repo) : undefined;
}

// A custom build's context window is unknown until its config.json is read; 4096 is a conservative figure (real
// Qwen3 builds allow 40,960, the test fixture 4096).
const CUSTOM_CONTEXT = 4096;

/**
 * A record for a user-named Qwen3 or Qwen3.5 ONNX repo (usually on a mirror), loaded at full precision (fp32)
 * because nothing is known about which quantised files it ships. Sizes are unknown. Throws on a malformed repo id.
 */
export function customModelRecord(repo: string): ModelRecord {
  requireRepoId(repo);
  const [, name = repo] = repo.split('/');
  return freezeRecord({
    id: `${CUSTOM_ID_PREFIX}${repo}`,
    label: name,
    // Only the name says which family a custom build is; the worker reads its config for what matters (images).
    family: /qwen3[._]5/i.test(name) ? 'Qwen3.5' : 'Qwen3',
    parameters: 'unknown',
    engine: 'transformers',
    repo,
    dtypes: { withF16: 'fp32', withoutF16: 'fp32' },
    downloadBytes: {},
    contextWindow: CUSTOM_CONTEXT,
    takesImages: false,
    licence: 'unknown',
    importable: true,
    exportable: true,
    estimatedSizes: [],
    needsShaderF16: false,
    // The user named it for a reason (often a tiny build on a classroom mirror): let them try it on the CPU.
    runsOnCpu: true,
  });
}

