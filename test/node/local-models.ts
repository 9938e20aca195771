// The generated tiny models on local disk, as the node-inference tests use them: transformers.js pointed at their
// folder with remote models off, and the check that a generator writes byte-identical folders for one seed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { env } from '@huggingface/transformers';
import { expect } from 'vitest';
import type { TinyModelInfo } from '../fixtures/model-folder';
import { GENERATED_MODELS_DIR, ensureTinyModels } from '../fixtures/paths';

/** Generates the tiny models if needed and makes transformers.js load `test/...` ids from them, never remotely. */
export async function useGeneratedModels(): Promise<void> {
  await ensureTinyModels();
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = GENERATED_MODELS_DIR;
}

/**
 * Writes the model twice, to scratch/a and scratch/b, and expects the listing `expectedPaths` with the sizes it
 * reports and the same bytes in both folders and in `modelDir`, the folder the tests load. Returns the listing.
 */
export async function expectReproducibleFolder(
  write: (outDir: string) => Promise<TinyModelInfo>,
  scratch: string,
  modelDir: string,
  expectedPaths: readonly string[],
): Promise<TinyModelInfo> {
  const first = await write(path.join(scratch, 'a'));
  const second = await write(path.join(scratch, 'b'));
  expect(second.files).toEqual(first.files);
  expect(first.files.map((file) => file.path)).toEqual(expectedPaths);
  for (const file of first.files) {
    const bytes = await readFile(path.join(scratch, 'a', file.path));
    expect(bytes.byteLength).toBe(file.bytes);
    expect(bytes.equals(await readFile(path.join(scratch, 'b', file.path))), file.path).toBe(true);
    expect(bytes.equals(await readFile(path.join(modelDir, file.path))), file.path).toBe(true);
  }
  return first;
}
