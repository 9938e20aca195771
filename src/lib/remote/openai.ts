// Streams one answer from GPT-5.2, or any OpenAI-compatible endpoint, from the page: the Responses API or Chat
// Completions, parsed as server-sent events, with token usage and timing at the end.
// Invariants:
// - The API key travels only in the Authorization header of a POST to the validated endpoint (https, or http on
//   loopback); it is never put in a URL, a message or a log line.
// - A stream that ends normally yields deltas in arrival order and then exactly one `done` event, and nothing after.
// - A connection that drops after the answer started is not an error: the generator yields `done` with
//   `incomplete: true` (reason `cut`), so the UI keeps the text that arrived. Everything else that goes wrong
//   throws a RemoteError (errors.ts); aborting the signal throws RemoteError `Aborted`, at any point, because the
//   caller asked for it and no usage will ever arrive for a stopped answer.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatTurn } from '../../../common/protocol';
import { abortedError, badResponseError, httpError, networkError, RemoteError, streamFailure } from './errors';

export type RemoteApi = 'responses' | 'chat';
export type ReasoningEffortSetting = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'default';

export interface RemoteSettings {
  /** Base URL like https://api.openai.com/v1; `/responses` or `/chat/completions` is appended. */
  endpoint: string;
  apiKey: string;
  model: string;
  api: RemoteApi;
  /** `default` sends no effort at all, leaving the model's own default. */
  reasoningEffort: ReasoningEffortSetting;
  /** Caps visible plus reasoning tokens; absent means the server's default. */
  maxOutputTokens?: number;
}

export interface RemoteUsage {
  inputTokens: number;
  /** Includes the reasoning tokens, as OpenAI reports and bills them. */
  outputTokens: number;
  /** The part of `outputTokens` spent on hidden reasoning. */
  reasoningTokens: number;
}

/** Why an answer is incomplete: the connection dropped, the token cap was hit, or the content filter stopped it. */
export type IncompleteReason = 'cut' | 'max_output_tokens' | 'content_filter';

export type RemoteEvent =
  | { type: 'delta'; text: string }
  | {
      type: 'done';
      /** Absent when the server sent none (a cut stream, or a server that ignores `include_usage`). */
      usage: RemoteUsage | undefined;
      incomplete: boolean;
      /** Set exactly when `incomplete` is true. */
      incompleteReason?: IncompleteReason;
      /** From just before the request to the first visible text (to the end when no text came), and to the end. */
      timing: { timeToFirstTokenMs: number; totalMs: number };
    };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Normalises what the user typed as the endpoint: trimmed, no trailing slash, https (plain http only on loopback,
 * where a local server or the test mock runs). Throws an Error whose message says what to fix.
 */
export function validateEndpoint(input: string): string {
  const trimmed = input.trim();
  if (trimmed === '') throw new Error('Enter the endpoint address, for example https://api.openai.com/v1.');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`"${trimmed}" is not a web address. Enter one like https://api.openai.com/v1.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`The endpoint must start with https:// (got ${url.protocol}).`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`The endpoint must use https:// so the API key is not sent in the clear (http:// is allowed only for localhost).`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('Leave credentials out of the endpoint address: the API key has its own field.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error('The endpoint address takes no ?query or #fragment: enter the base URL only, like https://api.openai.com/v1.');
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The host the user will recognise in a notice ("api.openai.com"); the raw text when it is not a URL. */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint.trim()).host;
  } catch {
    return endpoint.trim();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Request bodies

function sendsEffort(effort: ReasoningEffortSetting): effort is Exclude<ReasoningEffortSetting, 'default'> {
  return effort !== 'default';
}

function validCap(cap: number | undefined): cap is number {
  return cap !== undefined && Number.isInteger(cap) && cap > 0;
}

/** A Responses API turn: plain text, or for a user turn with images, the images then the text as content parts. */
function responsesInput(turn: ChatTurn): Record<string, unknown> {
  if (!turn.images?.length) return { role: turn.role, content: turn.content };
  const images = turn.images.map((image) => ({ type: 'input_image', image_url: image.dataUrl }));
  return { role: turn.role, content: [...images, { type: 'input_text', text: turn.content }] };
}

/** A Chat Completions message, with images as `image_url` parts the same way. */
function chatMessage(turn: ChatTurn): Record<string, unknown> {
  if (!turn.images?.length) return { role: turn.role, content: turn.content };
  const images = turn.images.map((image) => ({ type: 'image_url', image_url: { url: image.dataUrl } }));
  return { role: turn.role, content: [...images, { type: 'text', text: turn.content }] };
}

/** Responses API: system turns become `instructions`; the rest is `input`. `store: false` keeps the answer off
 * OpenAI's stored-responses list, which a private-by-default app should not fill. */
export function responsesBody(settings: RemoteSettings, turns: readonly ChatTurn[]): Record<string, unknown> {
  const system = turns.filter((turn) => turn.role === 'system').map((turn) => turn.content);
  const body: Record<string, unknown> = {
    model: settings.model,
    input: turns.filter((turn) => turn.role !== 'system').map(responsesInput),
    stream: true,
    store: false,
  };
  if (system.length > 0) body.instructions = system.join('\n\n');
  if (sendsEffort(settings.reasoningEffort)) body.reasoning = { effort: settings.reasoningEffort };
  if (validCap(settings.maxOutputTokens)) body.max_output_tokens = settings.maxOutputTokens;
  return body;
}

/** Chat Completions: turns pass as messages; `include_usage` makes the server send a final usage chunk. */
export function chatBody(settings: RemoteSettings, turns: readonly ChatTurn[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: settings.model,
    messages: turns.map(chatMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (sendsEffort(settings.reasoningEffort)) body.reasoning_effort = settings.reasoningEffort;
  if (validCap(settings.maxOutputTokens)) body.max_completion_tokens = settings.maxOutputTokens;
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// Stream interpretation: each API's events reduced to text, a finish, or a failure

type Step =
  | { kind: 'text'; text: string }
  | { kind: 'finish'; usage: RemoteUsage | undefined; incompleteReason: IncompleteReason | undefined }
  | { kind: 'ignore' };

interface Interpreter {
  /** Throws RemoteError for a failure the server reported in the stream. */
  handle(message: EventSourceMessage): Step;
  /** Called when the body ended cleanly without a terminal event. */
  endOfBody(): Step & { kind: 'finish' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** Responses usage: `{ input_tokens, output_tokens, output_tokens_details: { reasoning_tokens } }`. */
function responsesUsage(value: unknown): RemoteUsage | undefined {
  if (!isRecord(value)) return undefined;
  const details = isRecord(value.output_tokens_details) ? value.output_tokens_details : {};
  return {
    inputTokens: count(value.input_tokens),
    outputTokens: count(value.output_tokens),
    reasoningTokens: count(details.reasoning_tokens),
  };
}

/** Chat usage: `{ prompt_tokens, completion_tokens, completion_tokens_details: { reasoning_tokens } }`. */
function chatUsage(value: unknown): RemoteUsage | undefined {
  if (!isRecord(value)) return undefined;
  const details = isRecord(value.completion_tokens_details) ? value.completion_tokens_details : {};
  return {
    inputTokens: count(value.prompt_tokens),
    outputTokens: count(value.completion_tokens),
    reasoningTokens: count(details.reasoning_tokens),
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
          return { kind: 'finish', usage: responsesUsage(response.usage), incompleteReason: undefined };
        }
        case 'response.incomplete': {
          const response = isRecord(event.response) ? event.response : {};
          const details = isRecord(response.incomplete_details) ? response.incomplete_details : {};
          const reason = details.reason === 'content_filter' ? 'content_filter' : 'max_output_tokens';
          return { kind: 'finish', usage: responsesUsage(response.usage), incompleteReason: reason };
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
      const reported = chatUsage(chunk.usage);
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

// ---------------------------------------------------------------------------------------------------------------
// The stream

const ERROR_BODY_LIMIT = 64 * 1024;

async function errorBodyText(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, ERROR_BODY_LIMIT);
  } catch {
    return '';
  }
}

function doneEvent(
  step: Step & { kind: 'finish' },
  startedAt: number,
  firstTextAt: number | undefined,
): RemoteEvent & { type: 'done' } {
  const endedAt = performance.now();
  const incomplete = step.incompleteReason !== undefined;
  return {
    type: 'done',
    usage: step.usage,
    incomplete,
    ...(incomplete ? { incompleteReason: step.incompleteReason } : {}),
    timing: { timeToFirstTokenMs: (firstTextAt ?? endedAt) - startedAt, totalMs: endedAt - startedAt },
  };
}

/**
 * Streams one answer for `turns`. See the module comment for the contract: deltas, then one `done`; a dropped
 * connection ends as `done` with `incomplete: true`; failures and aborts throw RemoteError.
 */
export async function* streamRemote(
  settings: RemoteSettings,
  turns: ChatTurn[],
  signal?: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): AsyncGenerator<RemoteEvent> {
  let endpoint: string;
  try {
    endpoint = validateEndpoint(settings.endpoint);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RemoteError('RemoteNetwork', message, { cause: error });
  }
  const host = endpointHost(endpoint);
  if (settings.apiKey.trim() === '') {
    throw new RemoteError('RemoteAuth', `No API key is set for ${host}. Add one in Settings.`);
  }
  if (signal?.aborted) throw abortedError(signal.reason);

  const url = `${endpoint}${settings.api === 'responses' ? '/responses' : '/chat/completions'}`;
  const body = settings.api === 'responses' ? responsesBody(settings, turns) : chatBody(settings, turns);
  const startedAt = performance.now();
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${settings.apiKey.trim()}`,
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
      },
      body: JSON.stringify(body),
      signal,
      // No cookies or referrer go to a third-party endpoint; the key is the only credential.
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
    });
  } catch (error) {
    if (signal?.aborted) throw abortedError(error);
    throw networkError(host, error);
  }

  if (!response.ok) {
    const text = await errorBodyText(response);
    if (signal?.aborted) throw abortedError();
    throw httpError(response.status, response.headers, text, settings.model, host);
  }
  const contentType = response.headers.get('content-type');
  if (contentType !== null && !contentType.toLowerCase().includes('text/event-stream')) {
    await response.body?.cancel().catch(() => undefined);
    throw badResponseError(host, `a ${contentType.split(';')[0] ?? contentType} answer instead of an event stream`);
  }
  if (response.body === null) throw badResponseError(host, 'an empty answer');

  const interpreter = settings.api === 'responses' ? responsesInterpreter(settings.model, host) : chatInterpreter(settings.model, host);
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  // A fetchImpl that ignores the signal would leave read() pending forever; cancelling the reader ends it.
  const onAbort = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let firstTextAt: number | undefined;

  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw abortedError(error);
        // The socket closed under us after a 200: keep what arrived and say it is incomplete.
        yield doneEvent({ kind: 'finish', usage: undefined, incompleteReason: 'cut' }, startedAt, firstTextAt);
        return;
      }
      if (signal?.aborted) throw abortedError(signal.reason);
      if (chunk.done) {
        // The SSE spec drops an event that lacks its closing blank line; we read it, so a server that ends on
        // `data: …\n` still finishes. If that tail is garbled, the body was cut inside it (handled below).
        parser.feed(`${decoder.decode()}\n\n`);
      } else {
        parser.feed(decoder.decode(chunk.value, { stream: true }));
      }
      while (pending.length > 0) {
        const message = pending.shift();
        if (message === undefined) break;
        let step: Step;
        try {
          step = interpreter.handle(message);
        } catch (error) {
          if (!(chunk.done && error instanceof RemoteError && error.name === 'RemoteBadResponse')) throw error;
          step = { kind: 'finish', usage: undefined, incompleteReason: 'cut' };
        }
        if (step.kind === 'text') {
          firstTextAt ??= performance.now();
          yield { type: 'delta', text: step.text };
          if (signal?.aborted) throw abortedError(signal.reason);
        } else if (step.kind === 'finish') {
          yield doneEvent(step, startedAt, firstTextAt);
          return;
        }
      }
      if (chunk.done) {
        yield doneEvent(interpreter.endOfBody(), startedAt, firstTextAt);
        return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Stops the download when we return early (a terminal event, a thrown error, or the consumer breaking off).
    reader.cancel().catch(() => undefined);
  }
}
