// Checks a model folder picked from disk before any of it is stored: the files a transformers.js build needs are
// there, none is cut short or the wrong file, and, where the folder carries a manifest (what the app's export
// writes), every size and sha256 matches it. Without a manifest the checks are structural: JSON files must parse
// (config.json must name a Qwen architecture, tokenizer.json must hold a tokenizer) and every ONNX graph must be a
// complete protobuf message with a graph in it, which catches a truncated or foreign file. External-data files
// (`*.onnx_data*`) have no structure to check: only a manifest can vouch for them. A build that takes images (its
// record or its config.json says so) also needs its vision encoder and preprocessor_config.json, which the loader
// reads with the text model.
// Invariant: every rejection is an `ImportRejected` error whose message starts with the offending file's path.
import { visionDtypeFor } from '../../common/precision';
import type { Dtype, ModelRecord } from '../../common/model-record';
import type { SideloadFile, SideloadProgress } from '../../common/protocol';
import type { ImportedFile } from '../cache/weights-idb';
import { engineError } from '../errors';
import { isImageTextConfig } from '../../common/vision-config';
import { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest, type ManifestEntry } from '../../common/model-manifest';
import { isRecord } from '../../common/guards';

export interface CheckedFolder {
  files: ImportedFile[];
  bytes: number;
  /** Files whose sha256 matched the manifest. */
  hashed: number;
  /** Files in the folder that are not model files (a README, `.DS_Store`) and were left out. */
  skipped: string[];
}

const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = { fp32: '', fp16: '_fp16', q4: '_q4', q8: '_quantized', q4f16: '_q4f16' };
const REQUIRED_JSON = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];
/** The image processor's settings, which a build that takes images needs beside its tokenizer. */
const PREPROCESSOR_CONFIG = 'preprocessor_config.json';
const MODEL_FILE = /^(?:[A-Za-z0-9_.-]+\.json|chat_template\.jinja|onnx\/[A-Za-z0-9_.-]+\.onnx(?:_data(?:_\d+)?)?)$/;

function reject(path: string, problem: string): Error {
  return engineError('ImportRejected', `${path}: ${problem}`);
}

/**
 * The ONNX graphs a build needs at one precision: Qwen3.5 exports split the text path in two, and a build that takes
 * images adds its vision encoder at the precision paired with that text precision.
 */
export function graphFiles(record: ModelRecord, dtype: Dtype, vision = record.takesImages): string[] {
  const suffix = DTYPE_SUFFIX[dtype];
  const text =
    record.family === 'Qwen3.5' || vision
      ? [`onnx/embed_tokens${suffix}.onnx`, `onnx/decoder_model_merged${suffix}.onnx`]
      : [`onnx/model${suffix}.onnx`];
  return vision ? [...text, `onnx/vision_encoder${DTYPE_SUFFIX[visionDtypeFor(record, dtype)]}.onnx`] : text;
}

async function configTakesImages(config: Blob | undefined): Promise<boolean> {
  if (!config) return false;
  try {
    return isImageTextConfig(JSON.parse(await config.text()));
  } catch {
    return false; // jsonProblem names a config.json that does not parse.
  }
}

/** A path relative to the model root, with `/` separators; undefined for anything that escapes it. */
export function normalisePath(path: string): string | undefined {
  const parts = path.replaceAll('\\', '/').split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.some((part) => part === '..')) return undefined;
  return parts.join('/');
}

function isManifestEntry(value: unknown): value is ManifestEntry {
  if (!isRecord(value)) return false;
  const { path, bytes, sha256 } = value;
  return (
    typeof path === 'string' &&
    typeof bytes === 'number' && Number.isInteger(bytes) && bytes >= 0 &&
    (sha256 === undefined || (typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256)))
  );
}

export function parseManifest(text: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw reject(MANIFEST_FILE, 'is not valid JSON (cut short or edited?).');
  }
  if (!isRecord(parsed) || parsed.format !== MANIFEST_FORMAT || typeof parsed.repo !== 'string' || !Array.isArray(parsed.files)) {
    throw reject(MANIFEST_FILE, `is not a manifest of format ${MANIFEST_FORMAT}.`);
  }
  const files: ManifestEntry[] = [];
  for (const entry of parsed.files) {
    if (!isManifestEntry(entry)) throw reject(MANIFEST_FILE, 'lists a file without a valid path, size or sha256.');
    files.push(entry);
  }
  return { format: MANIFEST_FORMAT, repo: parsed.repo, files };
}

export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------------------------
// ONNX: a ModelProto is a protobuf message. Walking its top-level fields reads a few bytes per field (the graph is
// one length-delimited field), so even a 2 GB file is checked without reading it: the last field must end exactly
// at the end of the file, and fields 1 (ir_version) and 7 (graph) must be there.
// ---------------------------------------------------------------------------------------------------------------
const MAX_MODEL_PROTO_FIELD = 25;

async function readVarint(blob: Blob, offset: number): Promise<{ value: number; next: number } | undefined> {
  const bytes = new Uint8Array(await blob.slice(offset, offset + 10).arrayBuffer());
  let value = 0;
  let scale = 1;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index] ?? 0;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: offset + index + 1 };
    scale *= 128;
  }
  return undefined;
}

/** Why this blob is not a complete ONNX model, or undefined when it is one. */
export async function onnxProblem(blob: Blob): Promise<string | undefined> {
  let offset = 0;
  const seen = new Set<number>();
  while (offset < blob.size) {
    const tag = await readVarint(blob, offset);
    if (!tag) return 'is cut short (it ends inside a field header).';
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (field < 1 || field > MAX_MODEL_PROTO_FIELD) return 'is not an ONNX model (unexpected content).';
    offset = tag.next;
    if (wireType === 0) {
      const value = await readVarint(blob, offset);
      if (!value) return 'is cut short (it ends inside a number).';
      offset = value.next;
    } else if (wireType === 2) {
      const length = await readVarint(blob, offset);
      if (!length) return 'is cut short (it ends inside a field header).';
      offset = length.next + length.value;
    } else if (wireType === 1) {
      offset += 8;
    } else if (wireType === 5) {
      offset += 4;
    } else {
      return 'is not an ONNX model (unexpected content).';
    }
    seen.add(field);
  }
  if (offset > blob.size) return `is cut short: ${blob.size.toLocaleString('en')} bytes, but its content needs ${offset.toLocaleString('en')}.`;
  if (!seen.has(1) || !seen.has(7)) return 'is not an ONNX model (no graph in it).';
  return undefined;
}

async function jsonProblem(path: string, blob: Blob): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await blob.text());
  } catch {
    return 'is not valid JSON (cut short or the wrong file?).';
  }
  if (!isRecord(parsed)) return 'is not a JSON object (the wrong file?).';
  if (path === 'config.json') {
    const modelType = parsed.model_type;
    if (typeof modelType !== 'string' || !modelType.startsWith('qwen3')) {
      return `is not a Qwen3 or Qwen3.5 model configuration (model_type is ${typeof modelType === 'string' ? `"${modelType}"` : 'missing'}).`;
    }
  }
  if (path === 'tokenizer.json' && !isRecord(parsed.model)) return 'is not a tokenizer (no "model" in it; the wrong file?).';
  return undefined;
}

/**
 * Checks a picked folder for `record` and returns the files to store. Throws `ImportRejected` naming the first
 * file that fails; reports progress in bytes read while checking.
 */
export async function checkSideload(
  record: ModelRecord,
  picked: SideloadFile[],
  onProgress: (progress: SideloadProgress) => void = () => undefined,
): Promise<CheckedFolder> {
  const byPath = new Map<string, Blob>();
  const skipped: string[] = [];
  let manifest: Manifest | undefined;
  for (const { path, file } of picked) {
    const clean = normalisePath(path);
    if (clean === undefined) throw reject(path, 'is outside the model folder.');
    if (clean === MANIFEST_FILE) {
      manifest = parseManifest(await file.text());
      continue;
    }
    if (!MODEL_FILE.test(clean)) {
      skipped.push(clean);
      continue;
    }
    if (byPath.has(clean)) throw reject(clean, 'was picked twice.');
    byPath.set(clean, file);
  }

  if (manifest && manifest.repo !== record.repo) {
    throw reject(MANIFEST_FILE, `is for ${manifest.repo}, not ${record.repo}. Pick ${manifest.repo} in the model list first.`);
  }
  const vision = record.takesImages || (await configTakesImages(byPath.get('config.json')));
  for (const required of vision ? [...REQUIRED_JSON, PREPROCESSOR_CONFIG] : REQUIRED_JSON) {
    if (!byPath.has(required)) throw reject(required, 'is missing from the folder.');
  }
  const precisions = [...new Set([record.dtypes.withF16, record.dtypes.withoutF16])];
  if (!precisions.some((dtype) => graphFiles(record, dtype, vision).every((file) => byPath.has(file)))) {
    const wanted = precisions.map((dtype) => graphFiles(record, dtype, vision).join(' + ')).join(' or ');
    throw reject(wanted, 'is missing from the folder (the model itself).');
  }

  const expected = new Map((manifest?.files ?? []).map((entry) => [entry.path, entry]));
  if (manifest) {
    for (const entry of manifest.files) {
      if (!byPath.has(entry.path)) throw reject(entry.path, 'is listed in the manifest but missing from the folder.');
    }
  }

  const totalBytes = [...byPath.values()].reduce((sum, blob) => sum + blob.size, 0);
  let doneBytes = 0;
  let hashed = 0;
  const files: ImportedFile[] = [];
  for (const [path, blob] of [...byPath].sort(([a], [b]) => a.localeCompare(b))) {
    onProgress({ phase: 'check', doneBytes, totalBytes, file: path });
    if (blob.size === 0) throw reject(path, 'is empty.');
    const listed = expected.get(path);
    if (manifest && !listed) throw reject(path, 'is not listed in the manifest (the wrong file?).');
    if (listed && listed.bytes !== blob.size) {
      const how = blob.size < listed.bytes ? 'cut short' : 'the wrong file';
      throw reject(path, `is ${blob.size.toLocaleString('en')} bytes, but the manifest says ${listed.bytes.toLocaleString('en')} (${how}).`);
    }
    const problem = path.endsWith('.json') ? await jsonProblem(path, blob) : path.endsWith('.onnx') ? await onnxProblem(blob) : undefined;
    if (problem) throw reject(path, problem);
    if (listed?.sha256 !== undefined) {
      if ((await sha256Hex(blob)) !== listed.sha256) throw reject(path, 'does not match the sha256 in the manifest (damaged or the wrong file).');
      hashed += 1;
    }
    doneBytes += blob.size;
    files.push({ path, blob });
  }
  onProgress({ phase: 'check', doneBytes, totalBytes });
  return { files, bytes: totalBytes, hashed, skipped };
}
