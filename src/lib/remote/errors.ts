// Named errors for the remote (OpenAI-compatible) model, with messages that tell the user what to do next.
// Invariants: every failure of a remote call surfaces as a RemoteError whose `name` is one of RemoteErrorName;
// no message ever contains the API key (server text is scrubbed of `sk-…` tokens and, for a refused key, left out
// entirely, because OpenAI's 401 text echoes part of the key back).
import { isRecord } from '../../../common/guards';

export const REMOTE_ERROR_NAMES = [
  'RemoteAuth',
  'RemoteModelAccess',
  'RemoteRateLimit',
  'RemoteHttp',
  /** 502, 503 or 504: the service (or a gateway before it) is overloaded or down for a while. */
  'RemoteUnavailable',
  'RemoteNetwork',
  /** The endpoint sent no byte for longer than the wait the user set; what arrived is kept. */
  'RemoteTimeout',
  'RemoteStreamCut',
  'RemoteBadResponse',
  /** The answer ended early (output token limit, content filter); what arrived is kept. */
  'RemoteIncomplete',
  'Aborted',
] as const;
export type RemoteErrorName = (typeof REMOTE_ERROR_NAMES)[number];

export interface RemoteErrorOptions {
  status?: number;
  retryAfterSeconds?: number;
  /** The server's machine-readable error code (`insufficient_quota`, `model_not_found`, …), when it sent one. */
  code?: string;
  cause?: unknown;
}

export class RemoteError extends Error {
  override name: RemoteErrorName;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly code?: string;

  constructor(name: RemoteErrorName, message: string, options: RemoteErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.code !== undefined) this.code = options.code;
  }
}

export function isRemoteError(error: unknown): error is RemoteError {
  return error instanceof RemoteError;
}

/** Server text shown to the user is capped: an HTML error page must not flood the notice. */
const DETAIL_LIMIT = 300;

/** Removes anything shaped like an OpenAI key (full or masked) and trims the text for display. */
export function scrubDetail(text: string): string {
  const scrubbed = text
    .replace(/\b(sk|rk)-[A-Za-z0-9_*.-]+/g, '$1-…')
    .replace(/\s+/g, ' ')
    .trim();
  return scrubbed.length > DETAIL_LIMIT ? `${scrubbed.slice(0, DETAIL_LIMIT - 1)}…` : scrubbed;
}

interface ServerError {
  message: string | undefined;
  code: string | undefined;
  type: string | undefined;
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Reads OpenAI's `{ error: { message, type, code } }` body; any other body becomes its (trimmed) text. */
function parseServerError(bodyText: string): ServerError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    const text = bodyText.trim();
    // An HTML page (a proxy's error page) says nothing useful once its tags are stripped of meaning.
    const message = text.length === 0 || text.startsWith('<') ? undefined : text;
    return { message, code: undefined, type: undefined };
  }
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : isRecord(parsed) ? parsed : undefined;
  if (error === undefined) return { message: undefined, code: undefined, type: undefined };
  return { message: stringField(error, 'message'), code: stringField(error, 'code'), type: stringField(error, 'type') };
}

/** Parses a Go-style duration as OpenAI writes it in messages: `20s`, `1.054s`, `120ms`, `6m0s`, `1h2m`. */
function parseDurationSeconds(text: string): number | undefined {
  const parts = text.match(/\d+(?:\.\d+)?(?:ms|h|m|s)/g);
  if (parts === null) return undefined;
  let seconds = 0;
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)(ms|h|m|s)$/.exec(part);
    if (match === null) return undefined;
    const value = Number(match[1]);
    const unit = match[2];
    seconds += unit === 'ms' ? value / 1000 : unit === 'h' ? value * 3600 : unit === 'm' ? value * 60 : value;
  }
  return seconds;
}

function wholeSeconds(seconds: number): number {
  // "Retry in 0 s" reads as a bug; a server that asks for any wait gets at least one second.
  return Math.max(1, Math.ceil(seconds));
}

/**
 * How long the server asks us to wait, in whole seconds: `retry-after-ms`, then `retry-after` (seconds or an
 * HTTP date), then the "try again in 20s" phrase of OpenAI's message. The message matters in the browser:
 * `retry-after` is not a CORS-safelisted response header, so the page cannot read it unless the server exposes it.
 */
export function retryAfterSeconds(headers: Headers, message: string | undefined, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) {
    return wholeSeconds(Number(ms) / 1000);
  }
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return wholeSeconds(seconds);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return wholeSeconds((date - now) / 1000);
  }
  if (message !== undefined) {
    const phrase = /try again in\s+((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)/i.exec(message);
    const duration = phrase?.[1] === undefined ? undefined : parseDurationSeconds(phrase[1]);
    if (duration !== undefined) return wholeSeconds(duration);
  }
  return undefined;
}

function withDetail(advice: string, detail: string | undefined): string {
  return detail === undefined ? advice : `${advice} (${scrubDetail(detail)})`;
}

function rateLimitError(
  code: string | undefined,
  type: string | undefined,
  detail: string | undefined,
  retryAfter: number | undefined,
  model: string,
  host: string,
  status: number | undefined,
): RemoteError {
  if (code === 'insufficient_quota' || type === 'insufficient_quota') {
    // Waiting does not help here, so no retry hint even when the server sent one.
    return new RemoteError(
      'RemoteRateLimit',
      withDetail(`The account behind this API key has no quota left at ${host}. Check its plan and billing, then try again.`, detail),
      { status, code: code ?? type },
    );
  }
  const when = retryAfter === undefined ? 'Wait a moment, then try again.' : `Try again in ${retryAfter} s.`;
  return new RemoteError('RemoteRateLimit', withDetail(`Rate limit reached for "${model}" at ${host}. ${when}`, detail), {
    status,
    retryAfterSeconds: retryAfter,
    code,
  });
}

/**
 * A 404 means one of two things: the model id is unknown (OpenAI's `model_not_found`; other servers only say
 * "model" in the text), or the address has no such route (the base URL lacks `/v1`, or the API type is wrong).
 */
function notFoundError(code: string | undefined, message: string | undefined, model: string, host: string): RemoteError {
  const aboutModel = code === 'model_not_found' || /\bmodel\b/i.test(message ?? '');
  if (aboutModel) {
    return new RemoteError(
      'RemoteModelAccess',
      withDetail(
        `There is no model "${model}" for this API key at ${host}: the model id is wrong, or the key has no access to it. Check the model id in Settings.`,
        message,
      ),
      { status: 404, code },
    );
  }
  return new RemoteError(
    'RemoteHttp',
    withDetail(
      `${host} has nothing at this address (HTTP 404). Check the endpoint base URL (it usually ends in /v1) and the API type in Settings.`,
      message,
    ),
    { status: 404, code },
  );
}

/** Maps a non-2xx answer to a named error. `bodyText` may be JSON (OpenAI's error body), text, HTML or empty. */
export function httpError(status: number, headers: Headers, bodyText: string, model: string, host: string): RemoteError {
  const { message, code, type } = parseServerError(bodyText);
  if (status === 401) {
    // The server's text is left out on purpose: OpenAI's 401 message repeats a masked copy of the key.
    return new RemoteError('RemoteAuth', `${host} refused the API key. Check the key in Settings.`, { status, code });
  }
  if (status === 403) {
    const advice = `This API key has no access to the model "${model}" at ${host}, or the model id is wrong. Check the model in Settings, or use a key whose project may call it.`;
    return new RemoteError('RemoteModelAccess', withDetail(advice, message), { status, code });
  }
  if (status === 404) return notFoundError(code, message, model, host);
  if (status === 429) {
    return rateLimitError(code, type, message, retryAfterSeconds(headers, message), model, host, status);
  }
  if (status === 502 || status === 503 || status === 504) {
    const wait = retryAfterSeconds(headers, message);
    const when = wait === undefined ? 'Try again in a moment.' : `Try again in ${wait} s.`;
    const what = status === 503 ? 'is overloaded or down for maintenance' : 'could not get an answer from the model behind it';
    return new RemoteError('RemoteUnavailable', withDetail(`${host} ${what} (HTTP ${status}). ${when}`, message), {
      status,
      retryAfterSeconds: wait,
      code,
    });
  }
  if (status >= 500) {
    return new RemoteError('RemoteHttp', withDetail(`${host} had an error (HTTP ${status}). Try again in a moment.`, message), {
      status,
      retryAfterSeconds: retryAfterSeconds(headers, message),
      code,
    });
  }
  return new RemoteError(
    'RemoteHttp',
    withDetail(`${host} refused the request (HTTP ${status}). Check the model, API type and reasoning effort in Settings.`, message),
    { status, code },
  );
}

/**
 * Maps an error the server reported inside a 200 stream (`error` or `response.failed` in the Responses API, an
 * `{ error }` chunk in Chat Completions). There is no status, so the code decides.
 */
export function streamFailure(code: string | undefined, message: string | undefined, model: string, host: string): RemoteError {
  if (code === 'rate_limit_exceeded' || code === 'insufficient_quota') {
    return rateLimitError(code, undefined, message, message === undefined ? undefined : retryAfterSeconds(new Headers(), message), model, host, undefined);
  }
  if (code === 'invalid_api_key') {
    return new RemoteError('RemoteAuth', `${host} refused the API key. Check the key in Settings.`, { code });
  }
  if (code === 'model_not_found') {
    return new RemoteError(
      'RemoteModelAccess',
      withDetail(`This API key has no access to the model "${model}" at ${host}, or the model id is wrong. Check the model in Settings.`, message),
      { code },
    );
  }
  return new RemoteError('RemoteHttp', withDetail(`${host} stopped the answer with an error. Try again.`, message ?? code), { code });
}

/** fetch rejected before any answer: DNS, refused connection, TLS, offline, or a CORS refusal (indistinguishable in a page). */
export function networkError(host: string, cause?: unknown): RemoteError {
  return new RemoteError(
    'RemoteNetwork',
    `Could not reach ${host}. Check the address, your connection, and that the endpoint allows browser requests (CORS).`,
    { cause },
  );
}

export function badResponseError(host: string, detail: string, cause?: unknown): RemoteError {
  return new RemoteError(
    'RemoteBadResponse',
    `${host} did not answer like an OpenAI-compatible API (${scrubDetail(detail)}). Check the endpoint address and the API type in Settings.`,
    { cause },
  );
}

/**
 * The endpoint went quiet: no byte for `seconds`, before the answer began or part way through it. Reasoning models
 * can think a long time before their first word, hence the advice to raise the wait.
 */
export function timeoutError(host: string, seconds: number, answerStarted: boolean): RemoteError {
  const when = answerStarted ? 'stopped sending part way through the answer' : 'sent nothing back';
  const kept = answerStarted ? ' What arrived is kept.' : '';
  return new RemoteError(
    'RemoteTimeout',
    `${host} ${when} for ${seconds} s, so the app stopped waiting.${kept} Try again; if the model thinks for long (a high reasoning effort), raise "Stop waiting after" in Settings.`,
  );
}

/** An event that cannot be read arrived after part of the answer: the server is an OpenAI-compatible one that
 * garbled its stream, so the advice is to try again rather than to fix the address. */
export function brokenEventError(host: string, detail: string, cause?: unknown): RemoteError {
  return new RemoteError(
    'RemoteBadResponse',
    `${host} sent a broken event part way through the answer (${scrubDetail(detail)}). The answer stops there; what arrived is kept. Try again.`,
    { cause },
  );
}

export function abortedError(cause?: unknown): RemoteError {
  return new RemoteError('Aborted', 'Stopped: the request to the remote model was cancelled.', { cause });
}
