// The fixed prompt set: versioned, each prompt distinct, the long one about 1,000 Qwen tokens (and inside the test
// model's 4,096-byte context), and each run's message distinct so that no prefix cache skips a prefill.
import { describe, expect, it } from 'vitest';
import { BENCH_CONVERSATION, BENCH_PROMPTS, BENCH_PROMPTS_VERSION, benchPrompt, promptForRun } from '../../common/bench/prompts';

describe('the prompt set', () => {
  it('is versioned and has the four kinds of prompt, each once', () => {
    expect(BENCH_PROMPTS_VERSION).toBeGreaterThanOrEqual(1);
    expect(BENCH_PROMPTS.map((prompt) => prompt.id)).toEqual(['short-chat', 'long-context', 'code', 'multilingual']);
  });

  it('has a long prompt of about 1,000 Qwen tokens that the byte-level test model can still read', () => {
    const long = benchPrompt('long-context').text;
    // English prose runs about 3.5-4.5 characters per Qwen token.
    expect(long.length / 4.5).toBeGreaterThan(750);
    expect(long.length / 3.5).toBeLessThan(1300);
    expect(new TextEncoder().encode(long).length).toBeLessThan(4096 - 200);
    expect(benchPrompt('multilingual').text).toMatch(/[\u4e00-\u9fff]/);
  });

  it('numbers each run, so two runs never share the whole prompt, and run 1 is the same everywhere', () => {
    const prompt = benchPrompt('code');
    const first = promptForRun(prompt, 1);
    expect(first).toEqual(promptForRun(prompt, 1));
    expect(first[0]?.content).not.toBe(promptForRun(prompt, 2)[0]?.content);
    expect(first[0]?.content.endsWith(prompt.text)).toBe(true);
  });

  it('has a three-turn conversation', () => {
    expect(BENCH_CONVERSATION).toHaveLength(3);
  });
});
