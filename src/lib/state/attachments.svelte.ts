// The images waiting in the composer for the next message. Files come from the picker, a paste or a drop; each is
// checked and re-encoded (images.ts) before it is shown, and every refusal is said in one message that names the
// file and what to do instead. Images are only accepted while the loaded model takes them.
import { findModel } from '../../../common/catalog/builds';
import { ImageRejected, MAX_IMAGES_PER_MESSAGE, prepareImage } from '../images';
import type { ChatImage } from '../types';
import type { ModelManager } from './model-manager.svelte';

export class AttachmentsState {
  #models: ModelManager;
  #pending = $state<ChatImage[]>([]);
  #problems = $state<string[]>([]);
  #preparing = $state(0);

  constructor(models: ModelManager) {
    this.#models = models;
  }

  get pending(): ChatImage[] {
    return this.#pending;
  }
  /** What went wrong with the last files, one line each; empty when nothing did. */
  get problems(): string[] {
    return this.#problems;
  }
  get preparing(): boolean {
    return this.#preparing > 0;
  }
  /** The loaded model has an image encoder. */
  get accepted(): boolean {
    return this.#models.takesImages;
  }
  /** Why images cannot be attached now, or undefined when they can. */
  get unavailableReason(): string | undefined {
    if (this.accepted) return undefined;
    const loaded = this.#models.loaded;
    if (this.#models.status !== 'ready' || !loaded) return 'Load a model first: images can be sent to Qwen3.5 builds.';
    const label = findModel(loaded.modelId)?.label ?? loaded.modelId;
    return `${label} (this build) reads text only, so it cannot see images. Load a build whose card says "Images: yes" (the Qwen3.5 ONNX builds) to send images.`;
  }

  /** Checks, re-encodes and queues image files; says why for each one it refuses. */
  async add(files: readonly File[]): Promise<void> {
    if (!this.accepted) {
      this.explainUnavailable();
      return;
    }
    const problems: string[] = [];
    const room = MAX_IMAGES_PER_MESSAGE - this.#pending.length;
    if (files.length > room) problems.push(`A message can carry at most ${MAX_IMAGES_PER_MESSAGE} images; the rest were left out.`);
    this.#preparing += 1;
    try {
      for (const file of files.slice(0, Math.max(0, room))) {
        try {
          this.#pending.push(await prepareImage(file, file.name || 'pasted image'));
        } catch (error) {
          problems.push(error instanceof ImageRejected ? error.message : `${file.name || 'The image'} could not be attached.`);
          if (!(error instanceof ImageRejected)) console.error('[attachments] could not prepare an image', error);
        }
      }
    } finally {
      this.#preparing -= 1;
      this.#problems = problems;
    }
  }

  /** Says why images cannot be attached now (the attach button's answer when the model reads text only). */
  explainUnavailable(): void {
    const reason = this.unavailableReason;
    if (reason) this.#problems = [reason];
  }

  remove(id: string): void {
    this.#pending = this.#pending.filter((image) => image.id !== id);
  }

  /** Hands the queued images to a message being sent and empties the queue. */
  take(): ChatImage[] {
    const taken = $state.snapshot(this.#pending);
    this.#pending = [];
    this.#problems = [];
    return taken;
  }

  dismissProblems(): void {
    this.#problems = [];
  }
}
