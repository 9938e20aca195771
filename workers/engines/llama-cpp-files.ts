// What the llama.cpp engine asks of a GGUF file before it trusts it: a Qwen architecture (the app runs nothing else)
// and every tensor's bytes present (a file cut short would fail deep inside llama.cpp, or worse, load garbage). The
// first shard is asked over HTTP Range requests before anything is downloaded, so a wrong or truncated file on the
// server is refused without fetching gigabytes; every file is asked again once stored, from its blob.
// Invariant: each refusal names the file (ModelUnsupported or IntegrityMismatch), never a bare parse error.
import { engineError } from '../errors';
import {
  GgufFormatError,
  blobSource,
  metadataInteger,
  metadataString,
  readGgufHeader,
  type ByteSource,
  type GgufHeader,
} from './gguf-header';

/** llama.cpp's names for the Qwen architectures: Qwen2/2.5, Qwen3, Qwen3 MoE and Qwen3.5. */
export const QWEN_ARCHITECTURES: ReadonlySet<string> = new Set(['qwen2', 'qwen3', 'qwen3moe', 'qwen35']);

/** A header read over HTTP that the server refused (404, 403, 500…). */
class GgufFetchError extends Error {
  override readonly name = 'GgufFetchError';
}

/** Only the first shard of a split GGUF carries the model's metadata; the others have `split.*` keys alone. */
function isFirstShard(header: GgufHeader): boolean {
  return (metadataInteger(header, 'split.no') ?? 0) === 0;
}

/** What is wrong with one GGUF file, in words that follow its name ("x.gguf is cut short: …"). */
export interface GgufIssue {
  file: string;
  name: 'ModelUnsupported' | 'IntegrityMismatch';
  problem: string;
}

function issueError(issue: GgufIssue, cause?: unknown): Error {
  return engineError(issue.name, `${issue.file} ${issue.problem}`, cause);
}

/** ModelUnsupported unless the header names a Qwen architecture. */
export function architectureIssue(header: GgufHeader, file: string): GgufIssue | undefined {
  const architecture = metadataString(header, 'general.architecture');
  if (architecture !== undefined && QWEN_ARCHITECTURES.has(architecture)) return undefined;
  const name = metadataString(header, 'general.name');
  const what = architecture === undefined ? 'names no architecture' : `is a "${architecture}" model${name ? ` (${name})` : ''}`;
  return { file, name: 'ModelUnsupported', problem: `${what}; this app runs ${[...QWEN_ARCHITECTURES].join(', ')}` };
}

/** IntegrityMismatch when the file is shorter than its own tensor table says. */
export function sizeIssue(header: GgufHeader, file: string, size: number): GgufIssue | undefined {
  const end = header.tensorDataEnd;
  if (end === undefined || size >= end) return undefined;
  return {
    file,
    name: 'IntegrityMismatch',
    problem: `is cut short: ${size.toLocaleString('en')} bytes, but its tensors need ${end.toLocaleString('en')}`,
  };
}

/** The training context the first shard declares (`<arch>.context_length`), if it says. */
export function trainedContext(header: GgufHeader): number | undefined {
  const architecture = metadataString(header, 'general.architecture');
  return architecture === undefined ? undefined : metadataInteger(header, `${architecture}.context_length`);
}

/** Reads a header; a malformed one is an issue that names the file. */
async function headerOf(source: ByteSource, file: string): Promise<GgufHeader | GgufIssue> {
  try {
    return await readGgufHeader(source);
  } catch (error) {
    if (!(error instanceof GgufFormatError)) throw error;
    // A header that ends early is a file cut short; anything else is not a GGUF llama.cpp can read.
    return { file, name: error.problem === 'cut-short' ? 'IntegrityMismatch' : 'ModelUnsupported', problem: error.message };
  }
}

export function isGgufIssue(value: GgufHeader | GgufIssue): value is GgufIssue {
  return 'problem' in value;
}

/** The bytes of a URL by Range requests, remembering the file's full size from the first answer. */
function sizedUrlSource(url: string, fetchImpl: typeof fetch): ByteSource & { readonly size: number | undefined } {
  let size: number | undefined;
  const source: ByteSource & { size: number | undefined } = {
    size: undefined,
    async read(offset, length) {
      const response = await fetchImpl(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
      if (response.status === 416) return new Uint8Array(0);
      if (!response.ok) throw new GgufFetchError(`HTTP ${response.status} for ${url}`);
      const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
      const whole = response.status === 200 ? response.headers.get('content-length') : null;
      size ??= total !== undefined ? Number(total) : whole !== null ? Number(whole) : undefined;
      source.size = size;
      const skip = response.status === 206 ? 0 : offset;
      return readPart(response, skip, length);
    },
  };
  return source;
}

async function readPart(response: Response, skip: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  let skipped = 0;
  const reader = response.body?.getReader();
  if (!reader) return out.subarray(0, 0);
  try {
    while (filled < length) {
      const { done, value } = await reader.read();
      if (done) break;
      const drop = Math.min(skip - skipped, value.length);
      skipped += drop;
      const chunk = value.subarray(drop);
      const take = Math.min(chunk.length, length - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    // A server that ignored Range is sending the whole file: stop it.
    await reader.cancel().catch(() => undefined);
  }
  return out.subarray(0, filled);
}

/**
 * Before the download: the first file's header over HTTP, refused when it is not Qwen or (when the server says the
 * size) shorter than its tensors. A server that refuses (404…) is left to the download, which names it the same way
 * as for every other file.
 */
export async function checkRemoteHeader(url: string, file: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const source = sizedUrlSource(url, fetchImpl);
  let header: GgufHeader | GgufIssue;
  try {
    header = await headerOf(source, file);
  } catch (error) {
    if (error instanceof GgufFetchError) return;
    throw error;
  }
  if (isGgufIssue(header)) throw issueError(header);
  const issue = (isFirstShard(header) ? architectureIssue(header, file) : undefined) ??
    (source.size === undefined ? undefined : sizeIssue(header, file, source.size));
  if (issue) throw issueError(issue);
}

/** The first issue among stored (or picked) files: every file whole, the first one Qwen; else the first header. */
export async function inspectFiles(files: readonly { path: string; blob: Blob }[]): Promise<GgufHeader | GgufIssue> {
  let first: GgufHeader | undefined;
  for (const { path, blob } of files) {
    const header = await headerOf(blobSource(blob), path);
    if (isGgufIssue(header)) return header;
    const issue = sizeIssue(header, path, blob.size) ?? (first === undefined && isFirstShard(header) ? architectureIssue(header, path) : undefined);
    if (issue) return issue;
    first ??= header;
  }
  if (!first) throw engineError('Unknown', 'a GGUF build without files');
  return first;
}

/** inspectFiles, throwing the issue as its named error (ModelUnsupported or IntegrityMismatch). */
export async function checkStoredFiles(files: readonly { path: string; blob: Blob }[]): Promise<GgufHeader> {
  const inspected = await inspectFiles(files);
  if (isGgufIssue(inspected)) throw issueError(inspected);
  return inspected;
}

