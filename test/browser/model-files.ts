// The tiny model's files copied to a temporary folder, as a teacher would copy a model onto a USB stick: what the
// sideload tests pick with the real folder input.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TINY_MODEL_DIR } from '../fixtures/paths';

export const TINY_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

/** Copies the tiny model's files to `<work>/<name>/tiny-qwen3/…` and returns that folder. */
export async function copyTinyModel(work: string, name: string): Promise<string> {
  const folder = path.join(work, name, 'tiny-qwen3');
  for (const file of TINY_FILES) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await copyFile(path.join(TINY_MODEL_DIR, file), path.join(folder, file));
  }
  return folder;
}
