// The model state kept between turns (workers/engines/transformers-kv-cache.ts) through the engine's own turn code
// (transformers-turn.ts) on the generated tiny models, in Node with the real transformers.js: a three-turn chat
// prefills in turn 3 only what turn 2 did not read, and every greedy answer is the one a fresh, cache-less
// generate() gives for the same turns — on Qwen3 (attention KV cache) and on the Qwen3.5 model (whose linear-
// attention layer carries a recurrent and a convolution state). An edit, a changed system prompt, a trimmed
// context and pictures reuse nothing; a regenerate and a changed thinking setting reuse the whole history.
import {
  AutoModelForCausalLM,
  AutoModelForImageTextToText,
  AutoProcessor,
  AutoTokenizer,
  InterruptableStoppingCriteria,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Processor,
} from '@huggingface/transformers';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurn, GenerationOptions } from '../../common/protocol';
import { multimodalInputs, textInputs, type ModelInputs } from '../../workers/engines/chat-inputs';
import { TurnStateCache, tokenIds } from '../../workers/engines/transformers-kv-cache';
import { generateTurn, type TurnModel, type TurnOutcome } from '../../workers/engines/transformers-turn';
import { TINY_REPO, TINY_VL_REPO } from '../fixtures/paths';
import { useGeneratedModels } from './local-models';

const OPTIONS: GenerationOptions = {
  maxNewTokens: 24,
  temperature: 0,
  topP: 1,
  topK: 0,
  repetitionPenalty: 1,
  enableThinking: false,
};

// Long enough user turns that the prefill is most of a turn's work (the byte-level tokenizer: a token per byte).
const SYSTEM: ChatTurn = { role: 'system', content: 'You are a careful assistant. Answer in one short paragraph.' };
const QUESTIONS = [
  'Tell me about the history of the bicycle, from the draisine to the safety bicycle, in a few sentences please.',
  'And how did pneumatic tyres change cycling at the end of the nineteenth century, for racing and for daily use?',
  'Finally, which inventions of the twentieth century mattered most for bicycles, and why do you think so?',
];

interface Figures {
  promptTokens: number;
  prefilledTokens: number;
  timeToFirstTokenMs: number;
}
const figures: Record<string, Figures[]> = {};

/** What the page sends next: the earlier turns, the answer (reasoning stripped, left out when empty), the question. */
function withAnswer(turns: readonly ChatTurn[], answer: string, next: string): ChatTurn[] {
  const content = answer.replace(/<think>[\s\S]*?<\/think>\s*/g, '').trim();
  return [...turns, ...(content ? [{ role: 'assistant' as const, content }] : []), { role: 'user', content: next }];
}

async function turn(loaded: TurnModel, messages: readonly ChatTurn[], options: Partial<GenerationOptions> = {}, budget?: number): Promise<TurnOutcome> {
  const request = { messages: [...messages], options: { ...OPTIONS, ...options }, ...(budget === undefined ? {} : { promptBudgetTokens: budget }) };
  return generateTurn(loaded, request, () => undefined, new InterruptableStoppingCriteria());
}

/**
 * The answer without any kept state: one plain generate() over the rendered prompt, on a second instance of the model
 * that TurnStateCache never touched, decoded as the streamer does.
 */
async function freshAnswer(loaded: Loaded, messages: readonly ChatTurn[], enableThinking = false): Promise<string> {
  const template = { enableThinking };
  const inputs: ModelInputs = loaded.processor
    ? await multimodalInputs(loaded.processor, messages, template)
    : textInputs(loaded.tokenizer, messages, template);
  const output = await loaded.reference.generate({ ...inputs, max_new_tokens: OPTIONS.maxNewTokens, do_sample: false });
  if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
  const generated = tokenIds(output).slice(inputs.input_ids.dims[1]);
  return loaded.tokenizer.decode(generated, { skip_special_tokens: true });
}

/** Prompt tokens of `messages` without the assistant header: what a turn with these messages keeps. */
async function historyTokens(loaded: TurnModel, messages: readonly ChatTurn[]): Promise<number> {
  const template = { enableThinking: false, generationPrompt: false };
  const inputs = loaded.processor ? await multimodalInputs(loaded.processor, messages, template) : textInputs(loaded.tokenizer, messages, template);
  return inputs.input_ids.dims[1] ?? 0;
}

function record(name: string, outcome: TurnOutcome): void {
  const { promptTokens, timeToFirstTokenMs } = outcome.metrics;
  (figures[name] ??= []).push({ promptTokens, prefilledTokens: promptTokens - outcome.reusedTokens, timeToFirstTokenMs: Math.round(timeToFirstTokenMs) });
}

/** Three turns; each answer checked against a fresh generate(); returns the turns of turn 3 and its outcome. */
async function threeTurns(name: string, loaded: Loaded): Promise<{ turns: ChatTurn[]; third: TurnOutcome }> {
  let turns: ChatTurn[] = [SYSTEM, { role: 'user', content: QUESTIONS[0] ?? '' }];
  let previous: ChatTurn[] = [];
  let outcome: TurnOutcome | undefined;
  for (const [index, question] of QUESTIONS.entries()) {
    if (outcome) {
      previous = turns;
      turns = withAnswer(turns, outcome.text, question);
    }
    outcome = await turn(loaded, turns);
    record(name, outcome);
    expect(outcome.text, `turn ${index + 1}`).toBe(await freshAnswer(loaded, turns));
    expect(outcome.reusedTokens, `turn ${index + 1}`).toBe(index === 0 ? 0 : await historyTokens(loaded, previous));
  }
  if (!outcome) throw new Error('no turn ran');
  return { turns, third: outcome };
}

type Kind = 'qwen3' | 'qwen3.5';

interface Loaded extends TurnModel {
  /** The same model loaded again, untouched by TurnStateCache: the reference answers come from it. */
  reference: PreTrainedModel;
}

/** The model as the engine holds it: Qwen3 as a causal LM, the Qwen3.5 one whole, with its processor. */
async function loadTurnModel(kind: Kind): Promise<Loaded> {
  await useGeneratedModels();
  const options = { dtype: 'fp32', device: 'cpu' } as const;
  let load: () => Promise<PreTrainedModel>;
  let tokenizer: PreTrainedTokenizer;
  let processor: Processor | undefined;
  if (kind === 'qwen3') {
    tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
    load = () => AutoModelForCausalLM.from_pretrained(TINY_REPO, options);
  } else {
    processor = await AutoProcessor.from_pretrained(TINY_VL_REPO);
    if (!processor.tokenizer) throw new Error('the tiny VL processor has no tokenizer');
    tokenizer = processor.tokenizer;
    load = () => AutoModelForImageTextToText.from_pretrained(TINY_VL_REPO, options);
  }
  const [model, reference] = await Promise.all([load(), load()]);
  const turnState = new TurnStateCache(model);
  return processor ? { model, reference, tokenizer, processor, turnState } : { model, reference, tokenizer, turnState };
}

describe.each([
  ['Qwen3 (attention KV cache)', 'qwen3'],
  ['Qwen3.5 (recurrent and convolution states too)', 'qwen3.5'],
] as const)('kept state across turns: %s', (_title, kind) => {
  let loaded: Loaded;

  beforeAll(async () => {
    loaded = await loadTurnModel(kind);
  });

  it('prefills in turn 3 only what follows turn 2’s history, and answers as a fresh generate() does', async () => {
    const { third } = await threeTurns(kind, loaded);
    expect(third.reusedTokens).toBeGreaterThan(third.metrics.promptTokens / 2);
    console.info(`[kv-reuse figures] ${kind}`, JSON.stringify(figures[kind]));
  });

  it('reuses the whole history on a regenerate and when only the thinking setting changes', async () => {
    const { turns } = await threeTurns(`${kind} regenerate`, loaded);
    const again = await turn(loaded, turns);
    expect(again.reusedTokens).toBe(await historyTokens(loaded, turns));
    expect(again.text).toBe(await freshAnswer(loaded, turns));
    const thinking = await turn(loaded, turns, { enableThinking: true });
    expect(thinking.reusedTokens).toBe(await historyTokens(loaded, turns));
    expect(thinking.text).toBe(await freshAnswer(loaded, turns, true));
  });

  it('reuses nothing after an edit, a changed system prompt or a trimmed context, and still answers correctly', async () => {
    const { turns } = await threeTurns(`${kind} invalidate`, loaded);
    const edited = turns.map((message, index) => (index === 1 ? { ...message, content: `${message.content} (edited)` } : message));
    const afterEdit = await turn(loaded, edited);
    expect(afterEdit.reusedTokens).toBe(0);
    expect(afterEdit.text).toBe(await freshAnswer(loaded, edited));

    const otherSystem = [{ role: 'system' as const, content: 'Another system prompt.' }, ...turns.slice(1)];
    const afterSystem = await turn(loaded, otherSystem);
    expect(afterSystem.reusedTokens).toBe(0);
    expect(afterSystem.text).toBe(await freshAnswer(loaded, otherSystem));

    await turn(loaded, turns);
    const full = await historyTokens(loaded, turns);
    const trimmed = await turn(loaded, turns, {}, full - 1);
    expect(trimmed.turnsLeftOut).toBeGreaterThan(0);
    expect(trimmed.reusedTokens).toBe(0);
  });

});

describe('kept state and pictures (Qwen3.5 with its image encoder)', () => {
  let loaded: Loaded;

  beforeAll(async () => {
    loaded = await loadTurnModel('qwen3.5');
  });

  it('reuses nothing for a prompt with a picture, and answers as a fresh generate() with the picture does', async () => {
    const { turns } = await threeTurns('qwen3.5 image', loaded);
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();
    const image = { dataUrl: `data:image/png;base64,${png.toString('base64')}`, width: 64, height: 64 };
    const last = turns.at(-1);
    if (!last) throw new Error('no turns');
    const withImage = [...turns.slice(0, -1), { ...last, images: [image] }];
    const outcome = await turn(loaded, withImage);
    expect(outcome.reusedTokens).toBe(0);
    expect(outcome.text).toBe(await freshAnswer(loaded, withImage));
    // The next text-only turn of a conversation with a picture starts from nothing too.
    const next = await turn(loaded, withAnswer(withImage, outcome.text, 'Thanks.'));
    expect(next.reusedTokens).toBe(0);
  });
});
