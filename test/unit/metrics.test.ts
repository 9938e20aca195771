// Generation metrics: GenerationClock (TTFT, prefill and decode speeds, totals) driven by an injected clock, perSecond,
// and the page's rule for when a rate is a measurement (measured-rate.ts): burst answers and tiny ones have none.
import { describe, expect, it } from 'vitest';
import type { GenerationMetrics } from '../../common/protocol';
import { GenerationClock, perSecond } from '../../workers/metrics';
import { localDecodeRate, localPrefillRate, measuredRate, MIN_RATE_MS, MIN_RATE_TOKENS } from '../../src/lib/measured-rate';

/** A clock the test moves by hand. */
function manualClock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

function expectAllFinite(metrics: GenerationMetrics): void {
  for (const [key, value] of Object.entries(metrics)) {
    expect(Number.isFinite(value), `${key} = ${value}`).toBe(true);
  }
}

describe('perSecond', () => {
  it('converts a count over milliseconds to a rate per second', () => {
    expect(perSecond(50, 1000)).toBe(50);
    expect(perSecond(10, 250)).toBe(40);
    expect(perSecond(3, 2000)).toBeCloseTo(1.5, 10);
  });

  it('returns 0, never NaN or Infinity, for zero or negative time or count', () => {
    expect(perSecond(10, 0)).toBe(0);
    expect(perSecond(0, 0)).toBe(0);
    expect(perSecond(0, 500)).toBe(0);
    expect(perSecond(10, -5)).toBe(0);
    expect(perSecond(-3, 100)).toBe(0);
  });
});

describe('GenerationClock', () => {
  it('measures TTFT from construction to the first token', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    clock.advance(240);
    generation.tokenProduced();
    clock.advance(10);
    const metrics = generation.finish(12);
    expect(metrics.timeToFirstTokenMs).toBe(240);
    expect(metrics.totalMs).toBe(250);
    expect(metrics.promptTokens).toBe(12);
    expect(metrics.outputTokens).toBe(1);
  });

  it('computes prefill speed as prompt tokens over the time to the first token', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    clock.advance(200);
    generation.tokenProduced();
    const metrics = generation.finish(100);
    expect(metrics.prefillTokensPerS).toBe(500);
  });

  it('computes decode speed from the tokens after the first, over the time after the first', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    clock.advance(300); // prefill
    generation.tokenProduced();
    for (let index = 0; index < 10; index += 1) {
      clock.advance(50);
      generation.tokenProduced();
    }
    clock.advance(1000); // time after the last token (detokenising, cleanup) is not decode time
    const metrics = generation.finish(30);

    expect(metrics.outputTokens).toBe(11);
    expect(generation.outputTokens).toBe(11);
    // 10 tokens after the first, over 500 ms after the first: 20 tokens/s.
    expect(metrics.decodeTokensPerS).toBe(20);
    expect(metrics.timeToFirstTokenMs).toBe(300);
    expect(metrics.prefillTokensPerS).toBe(100);
    expect(metrics.totalMs).toBe(1800);
  });

  it('counts tokens as they are produced', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    expect(generation.outputTokens).toBe(0);
    generation.tokenProduced();
    generation.tokenProduced();
    generation.tokenProduced();
    expect(generation.outputTokens).toBe(3);
  });

  it('reports zero speeds and finite numbers when no token was produced', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    clock.advance(400);
    const metrics = generation.finish(0);
    expectAllFinite(metrics);
    expect(metrics.outputTokens).toBe(0);
    expect(metrics.decodeTokensPerS).toBe(0);
    expect(metrics.prefillTokensPerS).toBe(0);
    expect(metrics.totalMs).toBe(400);
  });

  it('stays finite with zero tokens and an instantaneous finish', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    const metrics = generation.finish(25);
    expectAllFinite(metrics);
    expect(metrics.timeToFirstTokenMs).toBe(0);
    expect(metrics.prefillTokensPerS).toBe(0);
    expect(metrics.decodeTokensPerS).toBe(0);
    expect(metrics.totalMs).toBe(0);
  });

  it('reports zero decode speed for a single token (no tokens after the first)', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    clock.advance(120);
    generation.tokenProduced();
    clock.advance(30);
    const metrics = generation.finish(60);
    expectAllFinite(metrics);
    expect(metrics.outputTokens).toBe(1);
    expect(metrics.decodeTokensPerS).toBe(0);
    expect(metrics.prefillTokensPerS).toBe(500);
  });

  it('stays finite when every token arrives at the same instant', () => {
    const clock = manualClock();
    const generation = new GenerationClock(clock.now);
    generation.tokenProduced();
    generation.tokenProduced();
    generation.tokenProduced();
    const metrics = generation.finish(8);
    expectAllFinite(metrics);
    expect(metrics.outputTokens).toBe(3);
    expect(metrics.decodeTokensPerS).toBe(0);
    expect(metrics.prefillTokensPerS).toBe(0);
  });

  it('defaults to performance.now when no clock is injected', () => {
    const generation = new GenerationClock();
    generation.tokenProduced();
    const metrics = generation.finish(1);
    expectAllFinite(metrics);
    expect(metrics.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(metrics.totalMs).toBeGreaterThanOrEqual(metrics.timeToFirstTokenMs);
  });
});

describe('measured rates', () => {
  it('gives a rate only over enough tokens and enough time', () => {
    expect(measuredRate(10, 500)).toBeCloseTo(20, 10);
    expect(measuredRate(MIN_RATE_TOKENS, MIN_RATE_MS)).toBeCloseTo((MIN_RATE_TOKENS * 1000) / MIN_RATE_MS, 10);
    // A burst: many tokens in a few milliseconds (the "95246 tok/s" of a buffered remote answer).
    expect(measuredRate(400, 4.2)).toBeUndefined();
    expect(measuredRate(MIN_RATE_TOKENS, MIN_RATE_MS - 1)).toBeUndefined();
    expect(measuredRate(MIN_RATE_TOKENS - 1, 10_000)).toBeUndefined();
    expect(measuredRate(10, 0)).toBeUndefined();
    expect(measuredRate(10, Number.NaN)).toBeUndefined();
  });

  it('applies the same rule to a local answer’s decode and prefill figures', () => {
    const metrics: GenerationMetrics = { promptTokens: 40, outputTokens: 20, timeToFirstTokenMs: 400, prefillTokensPerS: 100, decodeTokensPerS: 25, totalMs: 1200 };
    expect(localDecodeRate(metrics)).toBe(25);
    expect(localPrefillRate(metrics)).toBe(100);
    // Two tokens: the engine still computes a figure, but it measures nothing.
    expect(localDecodeRate({ ...metrics, outputTokens: 2 })).toBeUndefined();
    // The tokens after the first all came within a few milliseconds.
    expect(localDecodeRate({ ...metrics, totalMs: 410, decodeTokensPerS: 1900 })).toBeUndefined();
    expect(localPrefillRate({ ...metrics, timeToFirstTokenMs: 12 })).toBeUndefined();
    expect(localDecodeRate({ ...metrics, decodeTokensPerS: 0 })).toBeUndefined();
  });
});
