// Streams one answer from GPT-5.2, or any OpenAI-compatible endpoint, from the page: the Responses API or Chat
// Completions, parsed as server-sent events, with token usage and timing at the end. The request bodies
// (request-body.ts), each API's events (sse-events.ts) and the endpoint rules (endpoint.ts) live beside it; this
// module is the one the rest of the page imports.
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
import { endpointHost, validateEndpoint } from './endpoint';
import { abortedError, badResponseError, httpError, networkError, RemoteError } from './errors';
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

async function errorBodyText(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, ERROR_BODY_LIMIT);
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
  if (settings.apiKey.trim() === '') {
    throw new RemoteError('RemoteAuth', `No API key is set for ${host}. Add one in Settings.`);
  }
  if (signal?.aborted) throw abortedError(signal.reason);

  const url = `${endpoint}${settings.api === 'responses' ? '/responses' : '/chat/completions'}`;
  const body = requestBody(settings, turns);
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

  const interpreter = createInterpreter(settings.api, settings.model, host);
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
