// Cost maths, price lookup, USD formatting and the local-vs-remote summary line (src/lib/remote/pricing.ts).
import { describe, expect, it } from 'vitest';
import type { RemoteUsage } from '../../src/lib/remote/openai';
import { compareTurn, costUsd, DEFAULT_PRICES, formatUsd, priceFor, type Price } from '../../src/lib/remote/pricing';

const GPT52: Price = { inputPerMillion: 1.75, cachedInputPerMillion: 0.175, outputPerMillion: 14.0 };

function usage(inputTokens: number, outputTokens: number, reasoningTokens = 0): RemoteUsage {
  return { inputTokens, outputTokens, reasoningTokens };
}

describe('prices', () => {
  it('knows GPT-5.2 at $1.75 in / $0.175 cached in / $14 out per million, and not the retired chat alias', () => {
    expect(DEFAULT_PRICES['gpt-5.2']).toEqual(GPT52);
    // gpt-5.2-chat-latest was retired on 2026-08-10: no default price, so its cost reads "unknown", not a guess.
    expect(priceFor('gpt-5.2-chat-latest')).toBeUndefined();
  });

  it('finds a model by id, ignoring case, spaces and a dated snapshot suffix', () => {
    expect(priceFor('gpt-5.2')).toEqual(GPT52);
    expect(priceFor(' GPT-5.2 ')).toEqual(GPT52);
    expect(priceFor('gpt-5.2-2025-12-11')).toEqual(GPT52);
  });

  it('has no price for an unknown model, and uses a custom table when given', () => {
    expect(priceFor('qwen3-coder')).toBeUndefined();
    expect(priceFor('gpt-5.2-pro')).toBeUndefined();
    const custom = { 'my-model': { inputPerMillion: 1, outputPerMillion: 2 } };
    expect(priceFor('my-model', custom)).toEqual({ inputPerMillion: 1, outputPerMillion: 2 });
    expect(priceFor('gpt-5.2', custom)).toBeUndefined();
  });
});

describe('costUsd with cached input', () => {
  it('bills cached input tokens at the cached price and the rest at the input price', () => {
    const cached: RemoteUsage = { inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 1_000, reasoningTokens: 0 };
    expect(costUsd(cached, GPT52)).toBeCloseTo((2_000 * 1.75 + 8_000 * 0.175 + 1_000 * 14) / 1e6, 12);
    expect(costUsd(cached, GPT52)).toBeLessThan(costUsd({ ...cached, cachedInputTokens: 0 }, GPT52));
  });
  it('bills cached tokens as input when the price has no cached figure', () => {
    const noCachedPrice: Price = { inputPerMillion: 2, outputPerMillion: 8 };
    const cached: RemoteUsage = { inputTokens: 1_000, cachedInputTokens: 600, outputTokens: 0, reasoningTokens: 0 };
    expect(costUsd(cached, noCachedPrice)).toBeCloseTo(0.002, 12);
  });
  it('never counts more cached tokens than input tokens', () => {
    const odd: RemoteUsage = { inputTokens: 100, cachedInputTokens: 500, outputTokens: 0, reasoningTokens: 0 };
    expect(costUsd(odd, GPT52)).toBeCloseTo((100 * 0.175) / 1e6, 12);
  });
});

describe('costUsd', () => {
  it('1,000 input + 500 output tokens at GPT-5.2 prices = $0.00875', () => {
    expect(costUsd(usage(1_000, 500), GPT52)).toBeCloseTo(0.00875, 12);
  });

  it('does not add reasoning tokens again: they are already inside the output tokens', () => {
    // 500 output tokens of which 400 were reasoning: billed as 500 output tokens, not 900.
    expect(costUsd(usage(1_000, 500, 400), GPT52)).toBeCloseTo(costUsd(usage(1_000, 500), GPT52), 12);
  });

  it('is linear in each side', () => {
    expect(costUsd(usage(1_000_000, 0), GPT52)).toBeCloseTo(1.75, 12);
    expect(costUsd(usage(0, 1_000_000), GPT52)).toBeCloseTo(14, 12);
    expect(costUsd(usage(2_000_000, 3_000_000), GPT52)).toBeCloseTo(2 * 1.75 + 3 * 14, 9);
  });

  it('is zero for zero usage', () => {
    expect(costUsd(usage(0, 0), GPT52)).toBe(0);
  });
});

describe('formatUsd', () => {
  it('shows four decimals under a dollar, rounding half up', () => {
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(0.00875)).toBe('$0.0088');
    expect(formatUsd(0.0041)).toBe('$0.0041');
    expect(formatUsd(0.99994)).toBe('$0.9999');
  });

  it('shows cents from a dollar up', () => {
    expect(formatUsd(1)).toBe('$1.00');
    expect(formatUsd(12.345)).toBe('$12.35');
  });

  it('says "$0.00" for nothing and "< $0.0001" for a tiny real cost', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.00001)).toBe('< $0.0001');
    expect(formatUsd(costUsd(usage(3, 1), GPT52))).toBe('< $0.0001');
    expect(formatUsd(0.00005)).toBe('$0.0001');
  });

  it('copes with values that should not occur', () => {
    expect(formatUsd(undefined)).toBe('unknown');
    expect(formatUsd(Number.NaN)).toBe('–');
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatUsd(-0.5)).toBe('-$0.5000');
  });
});

describe('compareTurn', () => {
  const done = { finished: true } as const;
  const reported = { finished: true, usageReported: true } as const;

  it('local faster', () => {
    expect(compareTurn({ ...done, tokensPerS: 85, totalMs: 1_200 }, { ...reported, tokensPerS: 40, totalMs: 2_800, costUsd: 0.0041 })).toBe(
      'Local was 2.3× faster (1.2 s vs 2.8 s, 85 vs 40 tokens/s); GPT-5.2 cost $0.0041, local $0.',
    );
  });

  it('remote faster, with the faster side first and the model named as given', () => {
    expect(
      compareTurn({ ...done, tokensPerS: 6.25, totalMs: 9_000 }, { ...reported, tokensPerS: 120, totalMs: 600, costUsd: 0.00875, model: 'gpt-5.2-chat-latest' }),
    ).toBe('gpt-5.2-chat-latest was 15.0× faster (600 ms vs 9.0 s, 120 vs 6.3 tokens/s); gpt-5.2-chat-latest cost $0.0088, local $0.');
  });

  it('about the same within 5%', () => {
    expect(compareTurn({ ...done, tokensPerS: 50, totalMs: 2_000 }, { ...reported, tokensPerS: 52, totalMs: 2_080, costUsd: 0.002 })).toBe(
      'Local and GPT-5.2 took about as long (2.0 s vs 2.1 s, 50 vs 52 tokens/s); GPT-5.2 cost $0.0020, local $0.',
    );
  });

  it('leaves out rates that were not measured (a burst answer), and says why a cost is unknown', () => {
    expect(compareTurn({ ...done, tokensPerS: undefined, totalMs: 1_000 }, { ...done, usageReported: false, tokensPerS: 30, totalMs: 3_000, costUsd: undefined })).toBe(
      'Local was 3.0× faster (1.0 s vs 3.0 s); GPT-5.2 cost unknown (no usage reported), local $0.',
    );
    // A remote answer that arrived in one burst has no rate: the sentence never quotes one.
    const burst = compareTurn({ ...done, tokensPerS: 20, totalMs: 3_000 }, { ...reported, tokensPerS: undefined, totalMs: 900, costUsd: undefined, model: 'local-llm' });
    expect(burst).toBe('local-llm was 3.3× faster (900 ms vs 3.0 s); local-llm cost unknown (no price for this model), local $0.');
    expect(burst).not.toContain('$0.00');
  });

  it('never calls a stopped, failed or cut answer the faster one', () => {
    const quickCut = { finished: false, usageReported: false, tokensPerS: undefined, totalMs: 300, costUsd: undefined } as const;
    const cut = compareTurn({ ...done, tokensPerS: 20, totalMs: 5_000 }, quickCut);
    expect(cut).toBe('No speed verdict: the GPT-5.2 answer did not run to its end; GPT-5.2 cost unknown (no usage reported), local $0.');
    expect(cut).not.toMatch(/faster/);
    const stopped = compareTurn({ finished: false, tokensPerS: undefined, totalMs: 200 }, { ...reported, tokensPerS: 40, totalMs: 4_000, costUsd: 0.001 });
    expect(stopped).toBe('No speed verdict: the local answer did not run to its end; GPT-5.2 cost $0.0010, local $0.');
    expect(compareTurn({ finished: false, tokensPerS: undefined, totalMs: 200 }, quickCut)).toMatch(/^No speed verdict: neither answer ran to its end;/);
  });

  it('says there is no timing when either side has none, and a zero cost reads $0.00', () => {
    expect(compareTurn({ ...done, tokensPerS: undefined, totalMs: 0 }, { ...reported, tokensPerS: undefined, totalMs: 2_000, costUsd: 0 })).toBe(
      'No timing to compare; GPT-5.2 cost $0.00, local $0.',
    );
    expect(compareTurn({ ...done, tokensPerS: 10, totalMs: 1_000 }, { ...reported, tokensPerS: 10, totalMs: Number.NaN, costUsd: 0.00001 })).toBe(
      'No timing to compare; GPT-5.2 cost < $0.0001, local $0.',
    );
  });
});
