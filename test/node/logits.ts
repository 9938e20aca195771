// Helpers the node-inference tests share to compare what cached decoding chose from with what one uncached forward
// pass computes: a LogitsProcessor that records every step's logits, the forward pass, tensor conversion, and the
// comparisons.
import { LogitsProcessor, LogitsProcessorList, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import { expect } from 'vitest';

/** Keeps a copy of the logits each generation step chose its token from. */
export class LogitsRecorder extends LogitsProcessor {
  readonly steps: number[][] = [];

  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    this.steps.push(tensorNumbers(logits));
    return logits;
  }

  /** This recorder as generate()'s logits_processor option. */
  asList(): LogitsProcessorList {
    const list = new LogitsProcessorList();
    list.push(this);
    return list;
  }

  /**
   * Expects every recorded step to have the logits that one uncached pass over the prompt and the generated
   * tokens computed at its position (the prompt's last token, then each generated one), and to have chosen
   * their argmax, `tokens[step]`.
   */
  expectMatches(recomputed: readonly (readonly number[])[], promptLength: number, tokens: readonly number[]): void {
    this.steps.forEach((stepLogits, step) => {
      const reference = recomputed.at(promptLength - 1 + step) ?? [];
      expect(maxAbsDifference(stepLogits, reference), `step ${step}`).toBeLessThan(1e-3);
      expect(argmax(reference), `step ${step}`).toBe(tokens[step]);
    });
  }
}

/** One forward pass with no past (transformers.js feeds an empty cache); the logits of every position, [position][token]. */
export async function forwardLogits(model: PreTrainedModel, inputs: object): Promise<number[][]> {
  const output: unknown = await model({ ...inputs });
  if (typeof output !== 'object' || output === null || !('logits' in output) || !(output.logits instanceof Tensor)) {
    throw new Error('forward pass returned no logits');
  }
  const [, sequenceLength = 0, vocabSize = 0] = output.logits.dims;
  const values = tensorNumbers(output.logits);
  return Array.from({ length: sequenceLength }, (_, position) => values.slice(position * vocabSize, (position + 1) * vocabSize));
}

export function tensorNumbers(tensor: Tensor): number[] {
  return Array.from(tensor.data, (value: number | bigint | string) => Number(value));
}

/** A [1, length] int64 tensor: one batch row of token ids, mask values or positions. */
export function int64Row(values: readonly number[]): Tensor {
  return new Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
}

export function argmax(values: readonly number[]): number {
  return values.reduce((best, value, index) => (value > (values[best] ?? -Infinity) ? index : best), 0);
}

/** Largest element-wise difference; also expects both to have the same length, so a short row cannot pass. */
export function maxAbsDifference(a: readonly number[], b: readonly number[]): number {
  expect(b).toHaveLength(a.length);
  return a.reduce((largest, value, index) => Math.max(largest, Math.abs(value - (b[index] ?? Number.NaN))), 0);
}
