// Reads each API's server-sent events into one of three steps: visible text, the finish (with usage and why it
// ended early, if it did), or nothing. One interpreter per API and per answer (Chat Completions keeps the finish
// reason and usage across chunks).
// Invariants: a failure the server reported inside the stream throws a RemoteError (streamFailure); an event that
// is not a JSON object throws RemoteBadResponse; refusals count as visible text, so a refused answer is never empty.
import type { EventSourceMessage } from 'eventsource-parser';
import { badResponseError, streamFailure } from './errors';
import type { IncompleteReason, RemoteApi, RemoteUsage } from './remote-api';
import { isRecord } from '../../../common/guards';

export type Step =
  | { kind: 'text'; text: string }
  | { kind: 'finish'; usage: RemoteUsage | undefined; incompleteReason: IncompleteReason | undefined }
  | { kind: 'ignore' };

export interface Interpreter {
  /** Throws RemoteError for a failure the server reported in the stream. */
  handle(message: EventSourceMessage): Step;
  /** Called when the body ended cleanly without a terminal event. */
  endOfBody(): Step & { kind: 'finish' };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parseJson(data: string, host: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (error) {
    throw badResponseError(host, `an event that is not JSON: ${data.slice(0, 80)}`, error);
  }
  if (!isRecord(parsed)) throw badResponseError(host, 'an event that is not a JSON object');
  return parsed;
}

/** Where each API puts the token counts of its usage object. */
const USAGE_FIELDS = {
  // `{ input_tokens, input_tokens_details: { cached_tokens }, output_tokens, output_tokens_details: { reasoning_tokens } }`
  responses: { input: 'input_tokens', inputDetails: 'input_tokens_details', output: 'output_tokens', details: 'output_tokens_details' },
  // `{ prompt_tokens, prompt_tokens_details: { cached_tokens }, completion_tokens, completion_tokens_details: … }`;
  // vLLM sends the three counts only, so its cached tokens read 0.
  chat: { input: 'prompt_tokens', inputDetails: 'prompt_tokens_details', output: 'completion_tokens', details: 'completion_tokens_details' },
} as const satisfies Record<RemoteApi, { input: string; inputDetails: string; output: string; details: string }>;

function usageOf(api: RemoteApi, value: unknown): RemoteUsage | undefined {
  if (!isRecord(value)) return undefined;
  const fields = USAGE_FIELDS[api];
  const details = value[fields.details];
  const inputDetails = value[fields.inputDetails];
  return {
    inputTokens: count(value[fields.input]),
    // As reported; costUsd never bills more cached tokens than input ones, for stored and imported answers too.
    cachedInputTokens: isRecord(inputDetails) ? count(inputDetails.cached_tokens) : 0,
    outputTokens: count(value[fields.output]),
    reasoningTokens: isRecord(details) ? count(details.reasoning_tokens) : 0,
  };
}

function responsesInterpreter(model: string, host: string): Interpreter {
  return {
    handle(message) {
      const event = parseJson(message.data, host);
      // `type` in the payload is authoritative; the SSE `event:` line repeats it and is the fallback.
      const type = optionalString(event.type) ?? message.event;
      switch (type) {
        case 'response.output_text.delta':
        case 'response.refusal.delta': {
          // A refusal is the model's visible answer too; dropping it would show an empty reply.
          const text = typeof event.delta === 'string' ? event.delta : '';
          return text === '' ? { kind: 'ignore' } : { kind: 'text', text };
        }
        case 'response.completed': {
          const response = isRecord(event.response) ? event.response : {};
          return { kind: 'finish', usage: usageOf('responses', response.usage), incompleteReason: undefined };
        }
        case 'response.incomplete': {
          const response = isRecord(event.response) ? event.response : {};
          const details = isRecord(response.incomplete_details) ? response.incomplete_details : {};
          const reason = details.reason === 'content_filter' ? 'content_filter' : 'max_output_tokens';
          return { kind: 'finish', usage: usageOf('responses', response.usage), incompleteReason: reason };
        }
        case 'response.failed': {
          const response = isRecord(event.response) ? event.response : {};
          const error = isRecord(response.error) ? response.error : {};
          throw streamFailure(optionalString(error.code), optionalString(error.message), model, host);
        }
        case 'error': {
          // Documented as `{ type: 'error', code, message, param }`; some servers nest it under `error`.
          const error = isRecord(event.error) ? event.error : event;
          throw streamFailure(optionalString(error.code), optionalString(error.message), model, host);
        }
        default:
          return { kind: 'ignore' };
      }
    },
    endOfBody() {
      // The Responses API always ends with completed, incomplete or failed; a body that ends before is a cut.
      return { kind: 'finish', usage: undefined, incompleteReason: 'cut' };
    },
  };
}

function chatInterpreter(model: string, host: string): Interpreter {
  let finishReason: string | undefined;
  let usage: RemoteUsage | undefined;
  const finish = (): Step & { kind: 'finish' } => ({
    kind: 'finish',
    usage,
    incompleteReason:
      finishReason === 'length' ? 'max_output_tokens' : finishReason === 'content_filter' ? 'content_filter' : undefined,
  });
  return {
    handle(message) {
      if (message.data.trim() === '[DONE]') return finish();
      const chunk = parseJson(message.data, host);
      if (isRecord(chunk.error)) {
        throw streamFailure(optionalString(chunk.error.code), optionalString(chunk.error.message), model, host);
      }
      // With include_usage the last chunk has `choices: []` and the usage; earlier chunks carry `usage: null`.
      const reported = usageOf('chat', chunk.usage);
      if (reported !== undefined) usage = reported;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      let text = '';
      for (const choice of choices) {
        if (!isRecord(choice) || count(choice.index) !== 0) continue;
        const reason = optionalString(choice.finish_reason);
        if (reason !== undefined) finishReason = reason;
        const delta = isRecord(choice.delta) ? choice.delta : {};
        if (typeof delta.content === 'string') text += delta.content;
        if (typeof delta.refusal === 'string') text += delta.refusal;
      }
      return text === '' ? { kind: 'ignore' } : { kind: 'text', text };
    },
    endOfBody() {
      // Servers that omit `[DONE]` still end a finished answer with a finish_reason; without one it was cut.
      return finishReason === undefined ? { kind: 'finish', usage, incompleteReason: 'cut' } : finish();
    },
  };
}

/** The interpreter for the API the settings name, for one answer. */
export function createInterpreter(api: RemoteApi, model: string, host: string): Interpreter {
  return api === 'responses' ? responsesInterpreter(model, host) : chatInterpreter(model, host);
}
