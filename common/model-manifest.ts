// The manifest an export writes beside a model's files (the repo, every file's path, size and sha256), and that an
// import checks against: the page writes it, the worker reads it, so its name and format live here once.

/** Written by the app's export beside the model files; optional on import. */
export const MANIFEST_FILE = 'qwen-chat-manifest.json';
export const MANIFEST_FORMAT = 'qwen-chat-model/1';

export interface ManifestEntry {
  path: string;
  bytes: number;
  sha256?: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  repo: string;
  files: ManifestEntry[];
}

/** A manifest with its files in path order, so two exports of the same files are byte-identical. */
export function buildManifest(repo: string, files: ManifestEntry[]): Manifest {
  return { format: MANIFEST_FORMAT, repo, files: [...files].sort((a, b) => a.path.localeCompare(b.path)) };
}
