// Checks GGUF files picked from disk for a llama.cpp build before any of them is stored: every file the build loads
// is there (the shards of a split GGUF, matched by name wherever the user's folder put them), each is a whole GGUF
// file (its tensor table fits in its size), the first one is a Qwen model, and, where the files come with this app's
// manifest (an exported .zip), every size and sha256 matches it. Other files (a README, the manifest) are left out.
// Invariant: every rejection is an `ImportRejected` error whose message starts with the offending file's path.
import type { ModelRecord } from '../../common/model-record';
import type { SideloadFile, SideloadProgress } from '../../common/protocol';
import { MANIFEST_FILE, type Manifest } from '../../common/model-manifest';
import { engineError } from '../errors';
import { inspectFiles, isGgufIssue } from '../engines/llama-cpp-files';
import { normalisePath, parseManifest, sha256Hex, type CheckedFolder } from './check';

function reject(path: string, problem: string, cause?: unknown): Error {
  return engineError('ImportRejected', `${path}: ${problem}`, cause);
}

function baseName(path: string): string {
  return path.split('/').at(-1) ?? path;
}

/** The picked file for each file the build loads: the same path, else the only one with the same name. */
function matchFiles(wanted: readonly string[], picked: ReadonlyMap<string, Blob>): Map<string, Blob> {
  const matched = new Map<string, Blob>();
  for (const file of wanted) {
    const exact = picked.get(file);
    const byName = [...picked].filter(([path]) => baseName(path) === baseName(file));
    const only = byName.length === 1 ? byName[0]?.[1] : undefined;
    const blob = exact ?? only;
    if (!blob) {
      const other = [...picked.keys()].find((path) => path.toLowerCase().endsWith('.gguf'));
      throw reject(file, other ? `is missing (the GGUF picked is ${other}; select its model first).` : 'is missing from the files picked.');
    }
    matched.set(file, blob);
  }
  return matched;
}

/** Checks the picked files for a GGUF `record` and returns them under the names the build loads them by. */
export async function checkGgufSideload(
  record: ModelRecord,
  picked: SideloadFile[],
  onProgress: (progress: SideloadProgress) => void = () => undefined,
): Promise<CheckedFolder> {
  const gguf = record.gguf;
  if (!gguf) throw engineError('ImportRejected', `${record.label} is not a GGUF build.`);
  const byPath = new Map<string, Blob>();
  let manifest: Manifest | undefined;
  for (const { path, file } of picked) {
    const clean = normalisePath(path);
    if (clean === undefined) throw reject(path, 'is outside the model folder.');
    if (clean === MANIFEST_FILE) manifest = parseManifest(await file.text());
    else byPath.set(clean, file);
  }
  if (manifest && manifest.repo !== record.repo) {
    throw reject(MANIFEST_FILE, `is for ${manifest.repo}, not ${record.repo}. Pick ${manifest.repo} in the model list first.`);
  }
  const matched = matchFiles(gguf.files, byPath);
  const used = new Set(matched.values());
  const skipped = [...byPath].filter(([, blob]) => !used.has(blob)).map(([path]) => path);
  const files = [...matched].map(([path, blob]) => ({ path, blob }));
  const totalBytes = files.reduce((sum, file) => sum + file.blob.size, 0);
  onProgress({ phase: 'check', doneBytes: 0, totalBytes, file: files[0]?.path });
  const inspected = await inspectFiles(files);
  if (isGgufIssue(inspected)) throw reject(inspected.file, `${inspected.problem}.`);

  const listed = new Map((manifest?.files ?? []).map((entry) => [entry.path, entry]));
  let doneBytes = 0;
  let hashed = 0;
  for (const { path, blob } of files) {
    onProgress({ phase: 'check', doneBytes, totalBytes, file: path });
    const entry = listed.get(path);
    if (manifest && !entry) throw reject(path, 'is not listed in the manifest (the wrong file?).');
    if (entry && entry.bytes !== blob.size) {
      throw reject(path, `is ${blob.size.toLocaleString('en')} bytes, but the manifest says ${entry.bytes.toLocaleString('en')}.`);
    }
    if (entry?.sha256 !== undefined) {
      if ((await sha256Hex(blob)) !== entry.sha256) throw reject(path, 'does not match the sha256 in the manifest (damaged or the wrong file).');
      hashed += 1;
    }
    doneBytes += blob.size;
  }
  onProgress({ phase: 'check', doneBytes, totalBytes });
  return { files, bytes: totalBytes, hashed, skipped };
}

/** A .gguf picked for a build of another engine: say what to do instead of "config.json is missing". */
export function refuseGgufForOtherEngine(record: ModelRecord, picked: readonly SideloadFile[]): void {
  if (record.gguf) return;
  const gguf = picked.find((file) => file.path.toLowerCase().endsWith('.gguf'));
  if (!gguf) return;
  throw reject(
    gguf.path,
    `is a GGUF file (llama.cpp), and ${record.label} is not a GGUF build. Add it under "Model source" as organisation/name/file.gguf, select it, and import again.`,
  );
}
