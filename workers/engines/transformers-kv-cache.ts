// Keeps the model's state between turns, so a turn prefills only what is new instead of the whole conversation.
// The state kept is the model's cache (attention keys and values; for Qwen3.5 also its Gated DeltaNet recurrent and
// convolution states) after reading exactly `ids`: the conversation up to the end of the last turn, before the
// assistant header that asks for an answer. That point, not the end of the answer, because Qwen's templates render
// an earlier answer differently from how it was generated (the think block is dropped), and a recurrent state
// cannot be cut back to a shorter prefix. A turn is prefilled in two steps: up to that point (from the kept state
// when its ids start the prompt, from nothing otherwise), which becomes the new kept state, then the rest, on a
// borrowed view that leaves the kept state intact. Reuse is decided by comparing token ids, never by assuming:
// an edit, a regenerate with other history, a changed system prompt or a trimmed context simply stop matching, and
// the kept state is disposed (its GPU buffers freed). Prompts with images are never reused (transformers.js drops
// the pictures of a prompt that arrives with a cache).
import { DynamicCache, Tensor, ones, type PreTrainedModel } from '@huggingface/transformers';
import { isRecord } from '../../common/guards';

export type TokenIds = readonly bigint[];

/** What a turn starts generate() with. */
export interface PreparedState {
  /** A view of the kept state to pass as `past_key_values`; absent when nothing is reused. */
  readonly pastKeyValues?: DynamicCache;
  /** Prompt tokens that came from the previous turn's state instead of being prefilled. */
  readonly reusedTokens: number;
  /** Frees what generate() added to the view (the kept state stays); call once generate() has returned. */
  release(): Promise<void>;
}

interface KeptState {
  readonly ids: TokenIds;
  readonly entries: Readonly<Record<string, Tensor>>;
}

export function tokenIds(tensor: Tensor): bigint[] {
  return Array.from(tensor.data, (value) => BigInt(value));
}

export function startsWith(ids: TokenIds, prefix: TokenIds): boolean {
  return prefix.length <= ids.length && prefix.every((id, index) => ids[index] === id);
}

function disposeOnGpu(tensors: Iterable<Tensor>): void {
  for (const tensor of tensors) {
    if (tensor.location !== 'gpu-buffer') continue;
    try {
      tensor.dispose();
    } catch (error) {
      // A lost device may refuse; its memory is gone with it. The error that matters is the one being handled.
      console.warn('[transformers] could not free a kept cache tensor', error);
    }
  }
}

/**
 * A cache over the kept tensors whose own dispose does nothing: generate() disposes each cache tensor it replaces,
 * and these must outlive the turn that reads them.
 */
function borrow(entries: Readonly<Record<string, Tensor>>): DynamicCache {
  const views: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(entries)) {
    const view = new Tensor(tensor.ort_tensor);
    view.dispose = () => undefined;
    views[name] = view;
  }
  return new DynamicCache(views);
}

/**
 * Qwen-VL models (Qwen3.5 among them) set `pixel_values: null` in every step that has a cache, and their forward
 * then tries to encode images whenever more than one new token arrives, so a cache handed in with a multi-token
 * prompt fails ("Missing the following inputs: pixel_values"). A text-only step has nothing to encode: drop the null.
 */
function acceptExternalCache(model: PreTrainedModel): void {
  const prepare = model.prepare_inputs_for_generation.bind(model);
  model.prepare_inputs_for_generation = (...args: unknown[]): unknown => {
    const prepared: unknown = prepare(...args);
    if (isRecord(prepared) && prepared.pixel_values === null && prepared.image_grid_thw === undefined) {
      delete prepared.pixel_values;
    }
    return prepared;
  };
}

export class TurnStateCache {
  readonly #model: PreTrainedModel;
  #kept: KeptState | undefined;

  constructor(model: PreTrainedModel) {
    this.#model = model;
    acceptExternalCache(model);
  }

  /** How many tokens the kept state covers (0 when nothing is kept). */
  get keptTokens(): number {
    return this.#kept?.ids.length ?? 0;
  }

  /**
   * Gets the state ready for `promptIds`. `historyIds` is the prompt up to the end of its last turn (what the next
   * turn's prompt should start with), or undefined when this prompt must not be reused (it has images, or the
   * template does not render that way). Prefills up to `historyIds` now (reusing the kept state if its ids start
   * it) and keeps that state; generate() then prefills only the rest of the prompt.
   */
  async prepare(promptIds: TokenIds, historyIds: TokenIds | undefined): Promise<PreparedState> {
    const usable = historyIds !== undefined && historyIds.length < promptIds.length && startsWith(promptIds, historyIds);
    if (!usable) {
      this.clear();
      return { reusedTokens: 0, release: async () => undefined };
    }
    if (this.#kept && !startsWith(historyIds, this.#kept.ids)) this.clear();
    const reusedTokens = this.keptTokens;
    if (reusedTokens < historyIds.length) await this.#advanceTo(historyIds);
    const kept = this.#kept;
    if (!kept) return { reusedTokens: 0, release: async () => undefined };
    const view = borrow(kept.entries);
    return { pastKeyValues: view, reusedTokens, release: () => view.dispose() };
  }

  /** Frees the kept state (a failed or unloaded model, or a prompt that no longer starts with it). */
  clear(): void {
    const kept = this.#kept;
    this.#kept = undefined;
    if (kept) disposeOnGpu(Object.values(kept.entries));
  }

  /** Prefills `ids` on top of the kept state (which starts them) and keeps the result instead. */
  async #advanceTo(ids: TokenIds): Promise<void> {
    const previous = this.#kept;
    const cache = previous ? borrow(previous.entries) : new DynamicCache();
    // One new token ends generate() right after the prefill, so the cache covers exactly `ids`.
    try {
      await this.#model.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(ids), [1, ids.length]),
        attention_mask: ones([1, ids.length]),
        past_key_values: cache,
        max_new_tokens: 1,
        do_sample: false,
      });
    } catch (error) {
      await cache.dispose();
      this.clear();
      throw error;
    }
    const entries = { ...cache };
    this.#kept = { ids: [...ids], entries };
    // Free the previous state, except a tensor the prefill did not replace (the new state still reads it).
    const stillUsed = new Set(Object.values(entries).map((tensor) => tensor.ort_tensor));
    if (previous) disposeOnGpu(Object.values(previous.entries).filter((tensor) => !stillUsed.has(tensor.ort_tensor)));
  }
}
