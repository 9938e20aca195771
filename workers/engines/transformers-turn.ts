// One answer of the transformers.js engine: render the prompt (trimmed to the budget by real tokens), get the
// model's state ready from the previous turn's (transformers-kv-cache.ts), generate with the token streamer, and
// time it. The engine adds what is about the device and the worker (loss, busy, interrupt); node tests run this
// same code on the tiny models.
import type { InterruptableStoppingCriteria, PreTrainedModel, PreTrainedTokenizer, Processor } from '@huggingface/transformers';
import type { ChatTurn, FinishReason, GenerateRequest, GenerationMetrics, TokenCallback } from '../../common/protocol';
import { GenerationClock, perSecond } from '../metrics';
import {
  countImages,
  fitPromptToBudget,
  multimodalInputs,
  promptLength,
  textInputs,
  type ImageFeatureCache,
  type ModelInputs,
  type TemplateOptions,
} from './chat-inputs';
import { TokenStreamer } from './token-streamer';
import { tokenIds, type TurnStateCache } from './transformers-kv-cache';

export interface TurnModel {
  model: PreTrainedModel;
  tokenizer: PreTrainedTokenizer;
  /** Present when the model takes images: it renders the prompt and turns images into pixel values. */
  processor?: Processor;
  /** The model's state after the last turn's history, for the next turn to start from. */
  turnState: TurnStateCache;
}

export interface TurnOutcome {
  text: string;
  finishReason: FinishReason;
  metrics: GenerationMetrics;
  turnsLeftOut: number;
  /** Prompt tokens read from the previous turn's state instead of prefilled (the rest were prefilled). */
  reusedTokens: number;
}

export type TurnRequest = Pick<GenerateRequest, 'messages' | 'options' | 'promptBudgetTokens'>;

export async function generateTurn(
  { model, tokenizer, processor, turnState }: TurnModel,
  { messages, options, promptBudgetTokens }: TurnRequest,
  onToken: TokenCallback,
  stopping: InterruptableStoppingCriteria,
): Promise<TurnOutcome> {
  const images: ImageFeatureCache = new Map();
  const render = async (turns: readonly ChatTurn[], template: TemplateOptions): Promise<ModelInputs> =>
    processor ? multimodalInputs(processor, turns, template, images) : textInputs(tokenizer, turns, template);
  const template = { enableThinking: options.enableThinking };
  const fitted = await fitPromptToBudget(messages, promptBudgetTokens, (turns) => render(turns, template));
  const { inputs } = fitted;
  const promptTokens = promptLength(inputs);
  // What the next turn's prompt will start with: these turns without the header that asks for an answer.
  const historyIds =
    countImages(fitted.turns) === 0 ? tokenIds((await render(fitted.turns, { ...template, generationPrompt: false })).input_ids) : undefined;

  const clock = new GenerationClock();
  const state = await turnState.prepare(tokenIds(inputs.input_ids), historyIds);
  const streamer = new TokenStreamer(tokenizer, (text, tokenProduced) => {
    if (tokenProduced) clock.tokenProduced();
    if (text.length > 0 || tokenProduced) onToken({ text, outputTokens: clock.outputTokens });
  });
  const sampling = options.temperature > 0;
  try {
    await model.generate({
      ...inputs,
      ...(state.pastKeyValues ? { past_key_values: state.pastKeyValues } : {}),
      max_new_tokens: options.maxNewTokens,
      repetition_penalty: options.repetitionPenalty,
      do_sample: sampling,
      ...(sampling ? { temperature: options.temperature, top_p: options.topP, top_k: options.topK } : {}),
      streamer,
      stopping_criteria: stopping,
    });
  } finally {
    await state.release();
  }

  // The prefill rate counts the tokens this turn read, not those that came from the previous turn's state.
  const prefilledTokens = promptTokens - state.reusedTokens;
  const measured = clock.finish(promptTokens);
  const metrics = { ...measured, prefillTokensPerS: perSecond(prefilledTokens, measured.timeToFirstTokenMs) };
  const finishReason: FinishReason = stopping.interrupted ? 'aborted' : metrics.outputTokens >= options.maxNewTokens ? 'length' : 'stop';
  return { text: streamer.text, finishReason, metrics, turnsLeftOut: fitted.turnsLeftOut, reusedTokens: state.reusedTokens };
}
