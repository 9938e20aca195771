// The per-token streamer on the generated tiny model's byte-level tokenizer: pieces arrive token by token, never
// hold a broken character, and join to exactly the full decode.
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenStreamer } from '../../workers/engines/token-streamer';
import { TINY_REPO } from '../fixtures/paths';
import { useGeneratedModels } from './local-models';

let tokenizer: PreTrainedTokenizer;

beforeAll(async () => {
  await useGeneratedModels();
  tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
});

function stream(ids: number[]): { pieces: string[]; tokens: number; streamer: TokenStreamer } {
  const pieces: string[] = [];
  let tokens = 0;
  const streamer = new TokenStreamer(tokenizer, (piece, tokenProduced) => {
    if (tokenProduced) tokens += 1;
    if (piece) pieces.push(piece);
  });
  streamer.put([[1n, 2n]]); // the prompt, which generate() puts first
  for (const id of ids) streamer.put([[BigInt(id)]]);
  streamer.end();
  return { pieces, tokens, streamer };
}

describe('TokenStreamer', () => {
  const text = 'Héllo wörld — 日本語 🙂 done.';
  const ids = (): number[] => Array.from(tokenizer.encode(text, { add_special_tokens: false }));

  it('reports every token and joins its pieces to the full decode', () => {
    const { pieces, tokens, streamer } = stream(ids());
    expect(tokens).toBe(ids().length);
    expect(pieces.join('')).toBe(text);
    expect(streamer.text).toBe(text);
  });

  it('never sends half a character: multi-byte characters wait for their last byte', () => {
    const { pieces } = stream(ids());
    expect(pieces.some((piece) => piece.includes('\uFFFD'))).toBe(false);
    expect(pieces).toContain('🙂');
    // One byte per token here, so a 4-byte emoji spans 4 tokens and arrives as one piece.
    expect(pieces.length).toBeLessThan(ids().length);
  });

  it('drops special tokens such as the end of a turn', () => {
    const imEnd = tokenizer.convert_tokens_to_ids(['<|im_end|>'])[0] ?? -1;
    expect(imEnd).toBeGreaterThan(255);
    const { pieces } = stream([...ids(), imEnd]);
    expect(pieces.join('')).toBe(text);
  });
});
