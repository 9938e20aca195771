// Every catalogue build of both engines, plus the record for a repo the user names: `ALL_BUILDS` is the list the
// picker shows, `findModel` turns a stored id back into its record, `customModelRecord` makes one for `org/name` (an
// ONNX repo, transformers.js) or `org/name/file.gguf` (a GGUF file, llama.cpp; a split file's first shard names all).
import { freezeRecord, type GgufQuant, type ModelRecord } from '../model-record';
import { isRepoId } from '../model-urls';
import { GGUF_CATALOG, GGUF_DTYPE } from './gguf-builds';
import { CATALOG } from './transformers-builds';
import { WEB_LLM_CATALOG } from './web-llm-builds';

const CUSTOM_ID_PREFIX = 'custom:';

/** Every catalogue build of the three engines: transformers.js first, then web-llm, then llama.cpp. */
export const ALL_BUILDS: readonly ModelRecord[] = Object.freeze([...CATALOG, ...WEB_LLM_CATALOG, ...GGUF_CATALOG]);

/**
 * The record with this id: a catalogue build of either engine, or, for an id `custom:<org>/<name>` or
 * `custom:<org>/<name>/<file>.gguf` (what customModelRecord gives), that custom build again. Undefined for anything else.
 */
export function findModel(id: string): ModelRecord | undefined {
  const known = ALL_BUILDS.find((record) => record.id === id);
  if (known) return known;
  if (!id.startsWith(CUSTOM_ID_PREFIX)) return undefined;
  const spec = id.slice(CUSTOM_ID_PREFIX.length);
  return isRepoId(spec) || parseGgufSpec(spec) ? customModelRecord(spec) : undefined;
}

// A custom build's context window is unknown until its config.json is read; 4096 is a conservative figure (real
// Qwen3 builds allow 40,960, the test fixture 4096).
const CUSTOM_CONTEXT = 4096;

/** Only the name says which family a custom build is; the worker reads what matters from its files. */
function familyOf(name: string): ModelRecord['family'] {
  return /qwen3[._]5/i.test(name) ? 'Qwen3.5' : 'Qwen3';
}

/**
 * A record for what the user named: `org/name/file.gguf` is a GGUF build (customGgufRecord), `org/name` an ONNX repo
 * (usually on a mirror) loaded at full precision (fp32) because nothing is known about which quantised files it
 * ships. Sizes are unknown. Throws on anything else, with the two forms in the message.
 */
export function customModelRecord(spec: string): ModelRecord {
  const gguf = parseGgufSpec(spec);
  if (gguf) return customGgufRecord(spec, gguf);
  if (!isRepoId(spec)) {
    throw new Error(
      `"${spec}" is not a model repo id. Write it as organisation/name for an ONNX repo (for example onnx-community/Qwen3-0.6B-ONNX), or organisation/name/file.gguf for a GGUF file.`,
    );
  }
  const repo = spec;
  const [, name = repo] = repo.split('/');
  return freezeRecord({
    id: `${CUSTOM_ID_PREFIX}${repo}`,
    label: name,
    family: familyOf(name),
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

// ---------------------------------------------------------------------------------------------------------------
// GGUF files named by the user: `org/name/path/file.gguf`, the repo being `org/name`.
// ---------------------------------------------------------------------------------------------------------------

/** A user-named GGUF file: the repo it sits in and the files to load, in order. */
export interface GgufSpec {
  repo: string;
  files: string[];
  quant: GgufQuant;
  /** The file name without `.gguf` and without a shard suffix. */
  name: string;
}

const PATH_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
// llama.cpp's gguf-split names: `<prefix>-00001-of-00003.gguf`.
const SHARD = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;
const QUANT_IN_NAME = /(?:^|[-_.])(Q4_K_M|Q4_0|Q8_0|F16|F32)(?=[-_.]|$)/i;
// The quantisation a custom GGUF is taken to have when its name does not say: the size is unknown anyway.
const DEFAULT_QUANT: GgufQuant = 'Q8_0';
const MAX_SHARDS = 999;

function isGgufQuant(text: string): text is GgufQuant {
  return text in GGUF_DTYPE;
}

/** Parses `org/name/file.gguf` (or a shard of a split file); undefined for anything else. */
export function parseGgufSpec(spec: string): GgufSpec | undefined {
  const parts = spec.split('/');
  const last = parts.at(-1) ?? '';
  if (parts.length < 3 || spec.length > 256 || !/\.gguf$/i.test(last)) return undefined;
  if (!parts.every((part) => PATH_PART.test(part) && !part.includes('..'))) return undefined;
  const repo = parts.slice(0, 2).join('/');
  const folder = parts.slice(2, -1);
  const shard = SHARD.exec(last);
  let files = [parts.slice(2).join('/')];
  let name = last.replace(/\.gguf$/i, '');
  if (shard) {
    const [, prefix = '', , ofText = ''] = shard;
    const total = Number(ofText);
    if (total < 1 || total > MAX_SHARDS) return undefined;
    const extension = last.slice(-'.gguf'.length);
    files = Array.from({ length: total }, (_, index) =>
      [...folder, `${prefix}-${String(index + 1).padStart(5, '0')}-of-${ofText}${extension}`].join('/'),
    );
    name = prefix;
  }
  const named = QUANT_IN_NAME.exec(name)?.[1]?.toUpperCase() ?? '';
  return { repo, files, quant: isGgufQuant(named) ? named : DEFAULT_QUANT, name };
}

/**
 * A record for a user-named GGUF build: llama.cpp runs it on WebGPU where the GPU has shader-f16 and on the CPU
 * otherwise, so it is offered everywhere. Its size, parameters and context are unknown until its header is read.
 */
function customGgufRecord(spec: string, gguf: GgufSpec): ModelRecord {
  const dtype = GGUF_DTYPE[gguf.quant];
  return freezeRecord({
    id: `${CUSTOM_ID_PREFIX}${spec}`,
    label: gguf.name,
    family: familyOf(gguf.name),
    parameters: 'unknown',
    engine: 'llama-cpp',
    repo: gguf.repo,
    dtypes: { withF16: dtype, withoutF16: dtype },
    downloadBytes: {},
    contextWindow: CUSTOM_CONTEXT,
    takesImages: false,
    licence: 'unknown',
    gguf: { quant: gguf.quant, files: gguf.files },
    importable: true,
    exportable: true,
    estimatedSizes: [],
    needsShaderF16: false,
    runsOnCpu: true,
    fallsBackToCpu: true,
  });
}
