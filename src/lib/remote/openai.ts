// Streams one answer from GPT-5.2, or any OpenAI-compatible endpoint, from the page: the Responses API or Chat
// Completions, parsed as server-sent events, with token usage and timing at the end. The request bodies
// (request-body.ts), each API's events (sse-events.ts) and the endpoint rules (endpoint.ts) live beside it; this
// module is the one the rest of the page imports.
// Invariants:
// - The API key travels only in the Authorization header of a POST to the validated endpoint (https, or http on
//   loopback); it is never put in a URL, a message or a log line. A side that needs no key sends no header at all.
// - A stream that ends normally yields deltas in arrival order and then exactly one `done` event, and nothing after.
// - A connection that drops after the answer started is not an error: the generator yields `done` with
//   `incomplete: true` (reason `cut`), so the UI keeps the text that arrived. Everything else that goes wrong
//   throws a RemoteError (errors.ts); aborting the signal throws RemoteError `Aborted`, at any point, because the
//   caller asked for it and no usage will ever arrive for a stopped answer.
// - Silence is bounded: no byte for `idleTimeoutMs` (idle-timeout.ts), before the headers or between events, throws
//   RemoteTimeout. Lines that are not SSE fields are skipped, as the SSE spec says; an event that is not JSON stops
//   the answer with RemoteBadResponse, and the text before it stays with the caller.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatTurn } from '../../../common/protocol';
import { endpointHost, validateEndpoint } from './endpoint';
import {
  abortedError,
  badResponseError,
  brokenEventError,
  httpError,
  networkError,
  RemoteError,
  timeoutError,
} from './errors';
import { DEFAULT_IDLE_TIMEOUT_S, IdleTimer } from './idle-timeout';
import type { RemoteDone, RemoteEvent, RemoteSettings } from './remote-api';
import { requestBody } from './request-body';
import { createInterpreter, type Step } from './sse-events';

export type {
  IncompleteReason,
  ReasoningEffortSetting,
  RemoteApi,
  RemoteDone,
  RemoteEvent,
  RemoteSettings,
  RemoteTiming,
  RemoteUsage,
} from './remote-api';
export { endpointHost, validateEndpoint } from './endpoint';
export { chatBody, responsesBody } from './request-body';

type Finish = Step & { kind: 'finish' };

const ERROR_BODY_LIMIT = 64 * 1024;
/** One event larger than this is not an answer but a broken or hostile stream; the parser stops buffering it. */
const EVENT_BUFFER_LIMIT = 8 * 1024 * 1024;

/** Settles with `promise`, or rejects as soon as `signal` aborts: a fetchImpl that ignores its signal cannot hang us. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function errorBodyText(response: Response, signal: AbortSignal): Promise<string> {
  try {
    return (await untilAborted(response.text(), signal)).slice(0, ERROR_BODY_LIMIT);
  } catch {
    return '';
  }
}

function doneEvent(step: Finish, startedAt: number, firstTextAt: number | undefined): RemoteDone {
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
  const sendsKey = settings.needsKey !== false;
  if (sendsKey && settings.apiKey.trim() === '') {
    throw new RemoteError('RemoteAuth', `No API key is set for ${host}. Add one in Settings.`);
  }
  if (signal?.aborted) throw abortedError(signal.reason);

  const url = `${endpoint}${settings.api === 'responses' ? '/responses' : '/chat/completions'}`;
  const body = requestBody(settings, turns);
  const idle = new IdleTimer(settings.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_S * 1000);
  // The request ends when the user stops it or when the endpoint has been silent too long, whichever comes first.
  const requestSignal = signal === undefined ? idle.signal : AbortSignal.any([signal, idle.signal]);
  const startedAt = performance.now();
  try {
    yield* readAnswer();
  } finally {
    idle.stop();
  }

  async function* readAnswer(): AsyncGenerator<RemoteEvent> {
    let response: Response;
    try {
      const request = fetchImpl(url, {
        method: 'POST',
        headers: {
          ...(sendsKey ? { Authorization: `Bearer ${settings.apiKey.trim()}` } : {}),
          'Content-Type': 'application/json',
          Accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
        signal: requestSignal,
        // No cookies or referrer go to a third-party endpoint; the key is the only credential.
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
      response = await untilAborted(request, requestSignal);
    } catch (error) {
      if (signal?.aborted) throw abortedError(error);
      if (idle.fired) throw timeoutError(host, idle.seconds, false);
      throw networkError(host, error);
    }
    idle.touch();

    if (!response.ok) {
      const text = await errorBodyText(response, requestSignal);
      if (signal?.aborted) throw abortedError();
      throw httpError(response.status, response.headers, text, settings.model, host);
    }
    const contentType = response.headers.get('content-type');
    if (contentType !== null && !contentType.toLowerCase().includes('text/event-stream')) {
      await response.body?.cancel().catch(() => undefined);
      throw badResponseError(host, `a ${contentType.split(';')[0] ?? contentType} answer instead of an event stream`);
    }
    if (response.body === null) throw badResponseError(host, 'an empty answer');

    const interpreter = createInterpreter(settings.api, settings.model, host);
    const pending: EventSourceMessage[] = [];
    let parseFailure: RemoteError | undefined;
    const parser = createParser({
      onEvent: (message) => pending.push(message),
      // Unknown fields and bad `retry:` lines are skipped, as the SSE spec says; only an endless event is fatal.
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') parseFailure ??= badResponseError(host, 'an event larger than 8 MiB');
      },
      maxBufferSize: EVENT_BUFFER_LIMIT,
    });
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    // A fetchImpl that ignores the signal would leave read() pending forever; cancelling the reader ends it.
    const onAbort = (): void => void reader.cancel().catch(() => undefined);
    requestSignal.addEventListener('abort', onAbort, { once: true });
    let firstTextAt: number | undefined;
    /** What a stop means here: the user's (Aborted) or the silence timer's (RemoteTimeout), else nothing. */
    const stopped = (cause?: unknown): RemoteError | undefined =>
      signal?.aborted ? abortedError(cause ?? signal.reason) : idle.fired ? timeoutError(host, idle.seconds, firstTextAt !== undefined) : undefined;

    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          const stop = stopped(error);
          if (stop) throw stop;
          // The socket closed under us after a 200: keep what arrived and say it is incomplete.
          yield doneEvent({ kind: 'finish', usage: undefined, incompleteReason: 'cut' }, startedAt, firstTextAt);
          return;
        }
        const stop = stopped();
        if (stop) throw stop;
        idle.touch();
        if (chunk.done) {
          // The SSE spec drops an event that lacks its closing blank line; we read it, so a server that ends on
          // `data: …\n` still finishes. If that tail is garbled, the body was cut inside it (handled below).
          parser.feed(`${decoder.decode()}\n\n`);
        } else {
          parser.feed(decoder.decode(chunk.value, { stream: true }));
        }
        if (parseFailure) throw parseFailure;
        while (pending.length > 0) {
          const message = pending.shift();
          if (message === undefined) break;
          let step: Step;
          try {
            step = interpreter.handle(message);
          } catch (error) {
            const unreadable = error instanceof RemoteError && error.name === 'RemoteBadResponse';
            if (!unreadable) throw error;
            if (!chunk.done && firstTextAt !== undefined) {
              throw brokenEventError(host, `an event that is not JSON: ${message.data.slice(0, 80)}`, error);
            }
            if (!chunk.done) throw error;
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
      requestSignal.removeEventListener('abort', onAbort);
      // Stops the download when we return early (a terminal event, a thrown error, or the consumer breaking off).
      reader.cancel().catch(() => undefined);
    }
  }
}
