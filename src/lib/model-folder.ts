// Turns what the user picks or drops (a model folder, loose files, or a .zip the app exported) into model files
// with paths relative to the model root, and builds the .zip archive an export downloads. Pure page-side helpers:
// the checks and the storing happen in the worker. fflate is imported only when an archive is read or written, so
// it stays out of the page's initial JavaScript.
import { buildManifest, MANIFEST_FILE } from '../../common/model-manifest';
import type { ExportedFile, SideloadFile } from '../../common/protocol';


/** A file with the path it had inside the picked folder (or archive), before the folder name is taken off. */
export interface PickedFile {
  path: string;
  file: Blob;
}

/** `webkitRelativePath` when the file came from a folder picker, else its bare name. */
export function pickedFromFileList(files: Iterable<File>): PickedFile[] {
  return [...files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function isZip(picked: PickedFile): boolean {
  return picked.path.toLowerCase().endsWith('.zip');
}

async function unzip(archive: Blob): Promise<PickedFile[]> {
  const { unzipSync } = await import('fflate');
  const entries = unzipSync(new Uint8Array(await archive.arrayBuffer()));
  return Object.entries(entries)
    .filter(([name]) => !name.endsWith('/'))
    .map(([name, data]) => ({ path: name, file: new Blob([data]) }));
}

/**
 * The model files, relative to the model root: archives are opened, the folder the user picked (and any folders
 * above the model root) is taken off, and ONNX files picked loose, without their `onnx/` folder, are put back in it.
 */
export async function toModelFiles(picked: PickedFile[]): Promise<SideloadFile[]> {
  const expanded: PickedFile[] = [];
  for (const item of picked) {
    if (isZip(item)) expanded.push(...(await unzip(item.file)));
    else expanded.push(item);
  }
  const split = expanded.map((item) => ({ parts: item.path.replaceAll('\\', '/').split('/').filter((part) => part !== ''), file: item.file }));
  // The model root is the folder holding config.json (or the common folder when there is none).
  const config = split.find((item) => item.parts.at(-1) === 'config.json');
  const depth = config ? config.parts.length - 1 : commonDepth(split.map((item) => item.parts));
  return split.map(({ parts, file }) => {
    const relative = parts.slice(Math.min(depth, parts.length - 1));
    const name = relative.join('/');
    const loose = relative.length === 1 && /\.onnx(?:_data(?:_\d+)?)?$/.test(name);
    return { path: loose ? `onnx/${name}` : name, file };
  });
}

function commonDepth(paths: string[][]): number {
  let depth = 0;
  for (;;) {
    const first = paths[0]?.[depth];
    if (first === undefined || first === 'onnx') return depth;
    if (!paths.every((parts) => parts.length > depth + 1 && parts[depth] === first)) return depth;
    depth += 1;
  }
}

/** Reads every file under the dropped items, folders included, with their paths. */
export async function pickedFromDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const entries = [...items].flatMap((item) => {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry() : null;
    return entry ? [entry] : [];
  });
  const files: PickedFile[] = [];
  for (const entry of entries) files.push(...(await walk(entry, '')));
  return files;
}

async function walk(entry: FileSystemEntry, prefix: string): Promise<PickedFile[]> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (isFileEntry(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    return [{ path, file }];
  }
  if (!isDirectoryEntry(entry)) return [];
  const reader = entry.createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in batches until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const files: PickedFile[] = [];
  for (const child of children) files.push(...(await walk(child, path)));
  return files;
}

function isFileEntry(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectoryEntry(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

/** The manifest an export writes: the repo, and every file's path, size and sha256. */
export function exportManifest(repo: string, files: ExportedFile[]): string {
  const listed = files.map((file) => ({ path: file.path, bytes: file.file.size, sha256: file.sha256 }));
  return `${JSON.stringify(buildManifest(repo, listed), null, 2)}\n`;
}

/** `org/name` -> `name`: the folder name inside the archive and the archive's file name. */
export function exportFolderName(repo: string): string {
  return (repo.split('/').at(-1) ?? repo).replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * A .zip holding `<name>/<file>` for every file plus the manifest. Stored, not compressed: weights do not
 * compress, and storing keeps it fast. Files over 4 GiB are not supported by this format.
 */
export async function buildArchive(repo: string, files: ExportedFile[]): Promise<Blob> {
  const { Zip, ZipPassThrough } = await import('fflate');
  const folder = exportFolderName(repo);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let failure: Error | undefined;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else parts.push(new Uint8Array(chunk));
  });
  const add = (path: string, data: Uint8Array): void => {
    const entry = new ZipPassThrough(`${folder}/${path}`);
    zip.add(entry);
    entry.push(data, true);
  };
  for (const file of files) add(file.path, new Uint8Array(await file.file.arrayBuffer()));
  add(MANIFEST_FILE, new TextEncoder().encode(exportManifest(repo, files)));
  zip.end();
  if (failure) throw failure;
  return new Blob(parts, { type: 'application/zip' });
}

/** Hands a file to the browser's download (the user's Downloads folder, or where the browser asks). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it starts; a minute is ample for the browser to pick it up.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
