// streamRemote against the mock OpenAI server over real HTTP (both APIs, errors, cuts, aborts, an unreachable
// port), against recorded SSE text fed through fetchImpl, plus endpoint validation and httpError's mapping.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatTurn } from '../../common/protocol';
import {
  httpError,
  isRemoteError,
  retryAfterSeconds,
  scrubDetail,
  type RemoteError,
  type RemoteErrorName,
} from '../../src/lib/remote/errors';
import {
  chatBody,
  endpointHost,
  responsesBody,
  streamRemote,
  validateEndpoint,
  type RemoteEvent,
  type RemoteSettings,
} from '../../src/lib/remote/openai';
import {
  MOCK_DEFAULT_REPLY,
  mockChunks,
  mockInputTokens,
  startMockOpenAI,
  type MockOpenAI,
} from '../fixtures/mock-openai';

const KEY = 'sk-test-0123456789abcdefSECRET';

const TURNS: ChatTurn[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Name a prime.' },
  { role: 'assistant', content: 'Seven.' },
  { role: 'user', content: 'Another one?' },
];

let mock: MockOpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ expectedKey: KEY });
});

afterAll(async () => {
  await mock.close();
});

function settings(overrides: Partial<RemoteSettings> = {}): RemoteSettings {
  return { endpoint: mock.url, apiKey: KEY, model: 'gpt-5.2', api: 'responses', reasoningEffort: 'default', ...overrides };
}

async function collect(stream: AsyncIterable<RemoteEvent>): Promise<RemoteEvent[]> {
  const events: RemoteEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Runs the stream to its end and returns the RemoteError it threw, with the events that came before. */
async function failure(stream: AsyncIterable<RemoteEvent>): Promise<{ error: RemoteError; events: RemoteEvent[] }> {
  const events: RemoteEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    if (isRemoteError(error)) return { error, events };
    throw error;
  }
  throw new Error(`expected a RemoteError, got ${events.length} events and a clean end`);
}

function deltas(events: RemoteEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'delta' ? [event.text] : []));
}

function lastDone(events: RemoteEvent[]): Extract<RemoteEvent, { type: 'done' }> {
  const last = events.at(-1);
  if (last?.type !== 'done') throw new Error('the stream did not end with a done event');
  return last;
}

function lastRequestBody(): Record<string, unknown> {
  const body = mock.requests.at(-1)?.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('no JSON request recorded');
  return { ...body };
}

describe('validateEndpoint and endpointHost', () => {
  it('trims, strips trailing slashes and keeps the path', () => {
    expect(validateEndpoint('  https://api.openai.com/v1/  ')).toBe('https://api.openai.com/v1');
    expect(validateEndpoint('https://API.example.org:8443/openai/v1//')).toBe('https://api.example.org:8443/openai/v1');
    expect(validateEndpoint('https://api.openai.com')).toBe('https://api.openai.com');
  });

  it('allows plain http only on loopback', () => {
    expect(validateEndpoint('http://localhost:11434/v1/')).toBe('http://localhost:11434/v1');
    expect(validateEndpoint('http://127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080/v1');
    expect(validateEndpoint('http://[::1]:8080/v1')).toBe('http://[::1]:8080/v1');
    expect(() => validateEndpoint('http://api.openai.com/v1')).toThrow(/https:\/\/.*localhost/);
    expect(() => validateEndpoint('http://192.168.1.20:8080/v1')).toThrow(/https/);
  });

  it('refuses what is not a usable base URL, saying what to fix', () => {
    expect(() => validateEndpoint('')).toThrow(/Enter the endpoint/);
    expect(() => validateEndpoint('api.openai.com/v1')).toThrow(/not a web address/);
    expect(() => validateEndpoint('ftp://api.openai.com/v1')).toThrow(/https:\/\//);
    expect(() => validateEndpoint('https://user:pass@api.openai.com/v1')).toThrow(/credentials/);
    expect(() => validateEndpoint('https://api.openai.com/v1?key=abc')).toThrow(/query/);
  });

  it('names the host for notices', () => {
    expect(endpointHost('https://api.openai.com/v1')).toBe('api.openai.com');
    expect(endpointHost('http://127.0.0.1:9999/v1')).toBe('127.0.0.1:9999');
    expect(endpointHost('not a url')).toBe('not a url');
  });
});

describe('request bodies', () => {
  const base: RemoteSettings = { endpoint: 'https://api.openai.com/v1', apiKey: KEY, model: 'gpt-5.2', api: 'responses', reasoningEffort: 'high', maxOutputTokens: 512 };

  it('Responses: system prompt as instructions, the rest as input, effort under reasoning', () => {
    expect(responsesBody(base, TURNS)).toEqual({
      model: 'gpt-5.2',
      instructions: 'You are terse.',
      input: [
        { role: 'user', content: 'Name a prime.' },
        { role: 'assistant', content: 'Seven.' },
        { role: 'user', content: 'Another one?' },
      ],
      stream: true,
      store: false,
      reasoning: { effort: 'high' },
      max_output_tokens: 512,
    });
  });

  it('Chat Completions: messages as given, reasoning_effort, max_completion_tokens, usage requested', () => {
    expect(chatBody({ ...base, api: 'chat', reasoningEffort: 'none' }, TURNS)).toEqual({
      model: 'gpt-5.2',
      messages: TURNS,
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: 'none',
      max_completion_tokens: 512,
    });
  });

  it("'default' effort, no cap and no system turn send none of those fields", () => {
    const plain = { ...base, reasoningEffort: 'default' as const, maxOutputTokens: undefined };
    const userOnly: ChatTurn[] = [{ role: 'user', content: 'hi' }];
    const responses = responsesBody(plain, userOnly);
    expect(responses).not.toHaveProperty('reasoning');
    expect(responses).not.toHaveProperty('instructions');
    expect(responses).not.toHaveProperty('max_output_tokens');
    const chat = chatBody({ ...plain, api: 'chat' }, userOnly);
    expect(chat).not.toHaveProperty('reasoning_effort');
    expect(chat).not.toHaveProperty('max_completion_tokens');
  });
});

describe('streamRemote against the mock server', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const api of ['responses', 'chat'] as const) {
    it(`${api}: streams the deltas in order and ends with one done carrying usage and timing`, async () => {
      mock.script({ kind: 'ok', text: 'Eleven is prime, and so is thirteen.' });
      const events = await collect(streamRemote(settings({ api }), TURNS));
      const body = lastRequestBody();

      expect(deltas(events)).toEqual(mockChunks('Eleven is prime, and so is thirteen.'));
      expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
      const done = lastDone(events);
      expect(done.incomplete).toBe(false);
      expect(done).not.toHaveProperty('incompleteReason');
      expect(done.usage).toEqual({ inputTokens: mockInputTokens(body), cachedInputTokens: 0, outputTokens: 7, reasoningTokens: 0 });
      expect(done.timing.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
      expect(done.timing.totalMs).toBeGreaterThanOrEqual(done.timing.timeToFirstTokenMs);
      expect(mock.requests.at(-1)?.path).toBe(api === 'responses' ? '/v1/responses' : '/v1/chat/completions');
    });

    it(`${api}: reads the cached input tokens the server reports, as part of the input`, async () => {
      const cachedMock = await startMockOpenAI({ expectedKey: KEY, cachedInputTokens: 3 });
      try {
        cachedMock.script({ kind: 'ok', text: 'Cached.' });
        const done = lastDone(await collect(streamRemote(settings({ api, endpoint: cachedMock.url }), TURNS)));
        expect(done.usage?.cachedInputTokens).toBe(3);
        expect(done.usage?.inputTokens).toBe(mockInputTokens(cachedMock.requests.at(-1)?.body));
      } finally {
        await cachedMock.close();
      }
    });

    it(`${api}: reports reasoning tokens, counted inside the output tokens`, async () => {
      mock.script({ kind: 'ok', text: 'Two.', reasoningTokens: 40 });
      const done = lastDone(await collect(streamRemote(settings({ api, reasoningEffort: 'medium' }), TURNS)));
      expect(done.usage?.reasoningTokens).toBe(40);
      expect(done.usage?.outputTokens).toBe(41);
    });

    it(`${api}: a stream cut part way yields the deltas that arrived, then done marked incomplete`, async () => {
      mock.script({ kind: 'cut', text: 'one two three four five six', afterChunks: 3 });
      const events = await collect(streamRemote(settings({ api }), TURNS));
      expect(deltas(events)).toEqual(['one ', 'two ', 'three ']);
      const done = lastDone(events);
      expect(done).toMatchObject({ incomplete: true, incompleteReason: 'cut', usage: undefined });
      expect(events).toHaveLength(4);
    });

    it(`${api}: hitting the output cap ends as incomplete with the server's usage`, async () => {
      mock.script({ kind: 'ok', text: 'a b c d e f' });
      const events = await collect(streamRemote(settings({ api, maxOutputTokens: 2 }), TURNS));
      expect(deltas(events).join('')).toBe('a b ');
      expect(lastDone(events)).toMatchObject({ incomplete: true, incompleteReason: 'max_output_tokens', usage: { outputTokens: 2 } });
    });
  }

  it('puts the system prompt, the reasoning effort and the cap in the right fields of each API', async () => {
    await collect(streamRemote(settings({ api: 'responses', reasoningEffort: 'xhigh', maxOutputTokens: 900 }), TURNS));
    const responses = lastRequestBody();
    expect(responses.instructions).toBe('You are terse.');
    expect(responses.reasoning).toEqual({ effort: 'xhigh' });
    expect(responses.max_output_tokens).toBe(900);
    expect(responses.input).toEqual(TURNS.slice(1));
    expect(responses.stream).toBe(true);

    await collect(streamRemote(settings({ api: 'chat', reasoningEffort: 'low', maxOutputTokens: 900 }), TURNS));
    const chat = lastRequestBody();
    expect(chat.messages).toEqual(TURNS);
    expect(chat.reasoning_effort).toBe('low');
    expect(chat.max_completion_tokens).toBe(900);
    expect(chat.stream_options).toEqual({ include_usage: true });
    expect(chat).not.toHaveProperty('reasoning');
  });

  it('sends the key only in the Authorization header: not in the URL, the body, or any log line', async () => {
    const logged: unknown[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(...args));
    }
    const urls: string[] = [];
    const spyFetch: typeof fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    await collect(streamRemote(settings(), TURNS, undefined, spyFetch));
    mock.script({ kind: 'status', status: 500 });
    await failure(streamRemote(settings({ api: 'chat' }), TURNS, undefined, spyFetch));

    const recorded = mock.requests.slice(-2);
    expect(recorded.map((request) => request.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
    for (const request of recorded) {
      expect(request.path).not.toContain(KEY);
      expect(JSON.stringify(request.body)).not.toContain(KEY);
    }
    expect(urls).toEqual([`${mock.url}/responses`, `${mock.url}/chat/completions`]);
    expect(JSON.stringify(logged)).not.toContain(KEY);
  });

  it('a refused key is RemoteAuth, and the message carries no part of any key', async () => {
    const { error } = await failure(streamRemote(settings({ apiKey: 'sk-wrong-key-123456' }), TURNS));
    expect(error.name).toBe('RemoteAuth');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/refused the API key.*Settings/);
    expect(error.message).not.toMatch(/sk-|wrong-key|wxyz/);
  });

  const statusCases: { status: 403 | 404 | 429 | 500 | 503; code?: string; retryAfterSeconds?: number; name: RemoteErrorName; text: RegExp }[] = [
    { status: 403, name: 'RemoteModelAccess', text: /no access to the model "gpt-5\.2".*model id is wrong/ },
    { status: 404, name: 'RemoteModelAccess', text: /no model "gpt-5\.2".*model id is wrong.*Check the model id/ },
    { status: 429, retryAfterSeconds: 7, name: 'RemoteRateLimit', text: /Rate limit reached.*Try again in 7 s/ },
    { status: 429, code: 'insufficient_quota', name: 'RemoteRateLimit', text: /no quota left.*billing/ },
    { status: 500, name: 'RemoteHttp', text: /had an error \(HTTP 500\)\. Try again/ },
    { status: 503, name: 'RemoteUnavailable', text: /overloaded or down for maintenance \(HTTP 503\)\. Try again/ },
  ];
  for (const { status, code, retryAfterSeconds: wait, name, text } of statusCases) {
    it(`HTTP ${status}${code === undefined ? '' : ` ${code}`} → ${name}`, async () => {
      mock.script({ kind: 'status', status, ...(code === undefined ? {} : { code }), ...(wait === undefined ? {} : { retryAfterSeconds: wait }) });
      const { error, events } = await failure(streamRemote(settings({ api: status === 404 ? 'chat' : 'responses' }), TURNS));
      expect(events).toEqual([]);
      expect(error.name).toBe(name);
      expect(error.status).toBe(status);
      expect(error.message).toMatch(text);
      expect(error.message).toContain(`127.0.0.1:${mock.port}`);
      if (wait !== undefined) expect(error.retryAfterSeconds).toBe(wait);
      if (code === 'insufficient_quota') expect(error.retryAfterSeconds).toBeUndefined();
    });
  }

  it('aborting mid-stream throws Aborted after the deltas that already arrived', async () => {
    mock.script({ kind: 'ok', text: 'w '.repeat(40), delayMs: 25 });
    const controller = new AbortController();
    const events: RemoteEvent[] = [];
    let caught: unknown;
    try {
      for await (const event of streamRemote(settings(), TURNS, controller.signal)) {
        events.push(event);
        if (events.length === 2) controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(isRemoteError(caught) && caught.name).toBe('Aborted');
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.type === 'delta')).toBe(true);
  });

  it('an already aborted signal throws Aborted without sending anything', async () => {
    const before = mock.requests.length;
    const controller = new AbortController();
    controller.abort();
    const { error } = await failure(streamRemote(settings(), TURNS, controller.signal));
    expect(error.name).toBe('Aborted');
    expect(mock.requests.length).toBe(before);
  });

  it('aborting while waiting for the first byte throws Aborted', async () => {
    mock.script({ kind: 'ok', text: 'slow', delayMs: 2_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const { error } = await failure(streamRemote(settings(), TURNS, controller.signal));
    expect(error.name).toBe('Aborted');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('an unreachable port is RemoteNetwork, naming the host and CORS', async () => {
    const spare = await startMockOpenAI();
    const deadUrl = spare.url;
    await spare.close();
    const { error } = await failure(streamRemote(settings({ endpoint: deadUrl }), TURNS));
    expect(error.name).toBe('RemoteNetwork');
    expect(error.message).toContain(`Could not reach 127.0.0.1:${spare.port}`);
    expect(error.message).toContain('CORS');
  });

  it('refuses to send without a key or to a plain-http remote host, before any request', async () => {
    const fetchImpl = vi.fn<typeof fetch>();
    const noKey = await failure(streamRemote(settings({ apiKey: '  ' }), TURNS, undefined, fetchImpl));
    expect(noKey.error.name).toBe('RemoteAuth');
    expect(noKey.error.message).toMatch(/No API key/);
    const insecure = await failure(streamRemote(settings({ endpoint: 'http://api.openai.com/v1' }), TURNS, undefined, fetchImpl));
    expect(insecure.error.name).toBe('RemoteNetwork');
    expect(insecure.error.message).toMatch(/https/);
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('the default scenario answers with the fixed reply', async () => {
    const events = await collect(streamRemote(settings({ api: 'chat' }), TURNS));
    expect(deltas(events).join('')).toBe(MOCK_DEFAULT_REPLY);
  });

  it('the mock answers CORS preflights', async () => {
    const response = await fetch(`${mock.url}/responses`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Recorded streams: raw SSE text, fed in awkward pieces, through fetchImpl

/** A fetchImpl that answers with `body`, delivered in byte pieces of `pieceSize` (splitting lines and UTF-8). */
function recorded(body: string, init: { status?: number; contentType?: string | null; pieceSize?: number } = {}): typeof fetch {
  return () => {
    const bytes = new TextEncoder().encode(body);
    const size = init.pieceSize ?? 7;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let start = 0; start < bytes.length; start += size) controller.enqueue(bytes.slice(start, start + size));
        controller.close();
      },
    });
    const headers = new Headers();
    const contentType = init.contentType === undefined ? 'text/event-stream; charset=utf-8' : init.contentType;
    if (contentType !== null) headers.set('content-type', contentType);
    return Promise.resolve(new Response(stream, { status: init.status ?? 200, headers }));
  };
}

function sse(events: { event?: string; data: unknown }[], lineEnd = '\n'): string {
  return events
    .map(({ event, data }) => `${event === undefined ? '' : `event: ${event}${lineEnd}`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}${lineEnd}${lineEnd}`)
    .join('');
}

const offline: RemoteSettings = { endpoint: 'https://api.openai.com/v1', apiKey: KEY, model: 'gpt-5.2', api: 'responses', reasoningEffort: 'medium' };

const RESPONSES_STREAM = [
  'event: response.created',
  'data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_0a1b","object":"response","created_at":1765400000,"status":"in_progress","model":"gpt-5.2-2025-12-11","output":[],"usage":null}}',
  '',
  'event: response.in_progress',
  'data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_0a1b","object":"response","status":"in_progress","usage":null}}',
  '',
  ': keep-alive comment',
  '',
  'event: response.output_item.added',
  'data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}}',
  '',
  'event: response.output_item.done',
  'data: {"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}}',
  '',
  'event: response.output_item.added',
  'data: {"type":"response.output_item.added","sequence_number":4,"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}',
  '',
  'event: response.content_part.added',
  'data: {"type":"response.content_part.added","sequence_number":5,"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}',
  '',
  'event: response.output_text.delta',
  'data: {"type":"response.output_text.delta","sequence_number":6,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Thirteen","logprobs":[]}',
  '',
  'event: response.output_text.delta',
  'data: {"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":1,"content_index":0,"delta":" — café ✓","logprobs":[]}',
  '',
  'event: response.output_text.delta',
  'data: {"type":"response.output_text.delta","sequence_number":8,"item_id":"msg_1","output_index":1,"content_index":0,"delta":" 🎉.","logprobs":[]}',
  '',
  'event: response.output_text.done',
  'data: {"type":"response.output_text.done","sequence_number":9,"item_id":"msg_1","output_index":1,"content_index":0,"text":"Thirteen — café ✓ 🎉.","logprobs":[]}',
  '',
  'event: response.completed',
  'data: {"type":"response.completed","sequence_number":10,"response":{"id":"resp_0a1b","object":"response","status":"completed","model":"gpt-5.2-2025-12-11","usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":250,"output_tokens_details":{"reasoning_tokens":192},"total_tokens":286}}}',
  '',
  '',
].join('\n');

const CHAT_STREAM = [
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765400000,"model":"gpt-5.2-2025-12-11","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765400000,"model":"gpt-5.2-2025-12-11","choices":[{"index":0,"delta":{"content":"Seventeen"},"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765400000,"model":"gpt-5.2-2025-12-11","choices":[{"index":0,"delta":{"content":" — naïve ✓"},"finish_reason":null}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765400000,"model":"gpt-5.2-2025-12-11","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}',
  '',
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765400000,"model":"gpt-5.2-2025-12-11","choices":[],"usage":{"prompt_tokens":41,"completion_tokens":130,"total_tokens":171,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":118}}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\r\n');

describe('streamRemote on recorded streams', () => {
  for (const pieceSize of [1, 7, 4096]) {
    it(`Responses stream in ${pieceSize}-byte pieces: text, usage with reasoning tokens`, async () => {
      const events = await collect(streamRemote(offline, TURNS, undefined, recorded(RESPONSES_STREAM, { pieceSize })));
      expect(deltas(events)).toEqual(['Thirteen', ' — café ✓', ' 🎉.']);
      expect(lastDone(events)).toMatchObject({ incomplete: false, usage: { inputTokens: 36, outputTokens: 250, reasoningTokens: 192 } });
    });
  }

  it('Chat Completions stream with CRLF lines: text, then the usage chunk, then [DONE]', async () => {
    const events = await collect(streamRemote({ ...offline, api: 'chat' }, TURNS, undefined, recorded(CHAT_STREAM, { pieceSize: 5 })));
    expect(deltas(events)).toEqual(['Seventeen', ' — naïve ✓']);
    expect(events).toHaveLength(3);
    expect(lastDone(events)).toMatchObject({ incomplete: false, usage: { inputTokens: 41, outputTokens: 130, reasoningTokens: 118 } });
  });

  it('a Chat stream without [DONE] but with a finish_reason counts as complete', async () => {
    const withoutDone = CHAT_STREAM.replace('data: [DONE]\r\n\r\n', '');
    const done = lastDone(await collect(streamRemote({ ...offline, api: 'chat' }, TURNS, undefined, recorded(withoutDone))));
    expect(done).toMatchObject({ incomplete: false, usage: { outputTokens: 130 } });
  });

  it('a body that ends cleanly before the terminal event is incomplete (cut) for both APIs', async () => {
    const responsesCut = RESPONSES_STREAM.slice(0, RESPONSES_STREAM.indexOf('event: response.output_text.done'));
    const responses = await collect(streamRemote(offline, TURNS, undefined, recorded(responsesCut)));
    expect(deltas(responses).join('')).toBe('Thirteen — café ✓ 🎉.');
    expect(lastDone(responses)).toMatchObject({ incomplete: true, incompleteReason: 'cut', usage: undefined });

    const chatCut = CHAT_STREAM.slice(0, CHAT_STREAM.indexOf('data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765400000,"model":"gpt-5.2-2025-12-11","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]'));
    const chat = await collect(streamRemote({ ...offline, api: 'chat' }, TURNS, undefined, recorded(chatCut)));
    expect(lastDone(chat)).toMatchObject({ incomplete: true, incompleteReason: 'cut' });
  });

  it('a final event missing its blank line is still read; a final event cut inside its JSON is a cut', async () => {
    const events = await collect(streamRemote(offline, TURNS, undefined, recorded(RESPONSES_STREAM.trimEnd())));
    expect(lastDone(events)).toMatchObject({ incomplete: false, usage: { outputTokens: 250 } });

    const mid = await collect(streamRemote(offline, TURNS, undefined, recorded(RESPONSES_STREAM.slice(0, RESPONSES_STREAM.lastIndexOf('"usage"')))));
    expect(deltas(mid)).toHaveLength(3);
    expect(lastDone(mid)).toMatchObject({ incomplete: true, incompleteReason: 'cut', usage: undefined });
  });

  it('response.incomplete carries its reason and usage', async () => {
    const body = sse([
      { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'Par' } },
      {
        event: 'response.incomplete',
        data: { type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' }, usage: { input_tokens: 5, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 } } } },
      },
    ]);
    const done = lastDone(await collect(streamRemote(offline, TURNS, undefined, recorded(body))));
    expect(done).toMatchObject({ incomplete: true, incompleteReason: 'content_filter', usage: { inputTokens: 5, outputTokens: 1 } });
  });

  it('an error event throws with the server message, after the text that came before', async () => {
    const body = sse([
      { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'Hal' } },
      { event: 'error', data: { type: 'error', code: 'server_error', message: 'Something broke upstream.', param: null, sequence_number: 3 } },
    ]);
    const { error, events } = await failure(streamRemote(offline, TURNS, undefined, recorded(body)));
    expect(deltas(events)).toEqual(['Hal']);
    expect(error.name).toBe('RemoteHttp');
    expect(error.message).toContain('Something broke upstream.');
    expect(error.code).toBe('server_error');
  });

  it('response.failed throws a named error from its code', async () => {
    const failed = (code: string, message: string): string =>
      sse([{ event: 'response.failed', data: { type: 'response.failed', response: { status: 'failed', error: { code, message } } } }]);
    const limited = await failure(streamRemote(offline, TURNS, undefined, recorded(failed('rate_limit_exceeded', 'Slow down. Please try again in 1.5s.'))));
    expect(limited.error.name).toBe('RemoteRateLimit');
    expect(limited.error.retryAfterSeconds).toBe(2);
    const broken = await failure(streamRemote(offline, TURNS, undefined, recorded(failed('server_error', 'The model crashed.'))));
    expect(broken.error.name).toBe('RemoteHttp');
    expect(broken.error.message).toContain('The model crashed.');
  });

  it('an { error } chunk in a Chat stream throws', async () => {
    const body = sse([{ data: { error: { message: 'Quota gone.', type: 'insufficient_quota', code: 'insufficient_quota' } } }]);
    const { error } = await failure(streamRemote({ ...offline, api: 'chat' }, TURNS, undefined, recorded(body)));
    expect(error.name).toBe('RemoteRateLimit');
    expect(error.message).toMatch(/billing/);
  });

  it('data that is not JSON, or a JSON answer instead of a stream, is RemoteBadResponse', async () => {
    const garbled = await failure(streamRemote(offline, TURNS, undefined, recorded('data: {not json\n\n')));
    expect(garbled.error.name).toBe('RemoteBadResponse');
    expect(garbled.error.message).toMatch(/not JSON.*endpoint address/);

    const json = await failure(streamRemote(offline, TURNS, undefined, recorded('{"object":"response"}', { contentType: 'application/json' })));
    expect(json.error.name).toBe('RemoteBadResponse');
    expect(json.error.message).toContain('application/json');
  });

  it('a fetch that rejects with a TypeError (offline, CORS) is RemoteNetwork', async () => {
    const rejecting: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const { error } = await failure(streamRemote(offline, TURNS, undefined, rejecting));
    expect(error.name).toBe('RemoteNetwork');
    expect(error.message).toContain('api.openai.com');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('abort still ends a stream whose fetch ignores the signal', async () => {
    const hanging: typeof fetch = () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(sse([{ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'Hi' } }])));
        },
      });
      return Promise.resolve(new Response(stream, { headers: { 'content-type': 'text/event-stream' } }));
    };
    const controller = new AbortController();
    const events: RemoteEvent[] = [];
    let caught: unknown;
    try {
      for await (const event of streamRemote(offline, TURNS, controller.signal, hanging)) {
        events.push(event);
        setTimeout(() => controller.abort(), 10);
      }
    } catch (error) {
      caught = error;
    }
    expect(deltas(events)).toEqual(['Hi']);
    expect(isRemoteError(caught) && caught.name).toBe('Aborted');
  });

  it('a consumer that stops early cancels the download', async () => {
    let cancelled = false;
    const endless: typeof fetch = () => {
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode(sse([{ data: { type: 'response.output_text.delta', delta: 'x' } }])));
        },
        cancel() {
          cancelled = true;
        },
      });
      return Promise.resolve(new Response(stream, { headers: { 'content-type': 'text/event-stream' } }));
    };
    for await (const event of streamRemote(offline, TURNS, undefined, endless)) {
      if (event.type === 'delta') break;
    }
    expect(cancelled).toBe(true);
  });
});

describe('httpError and retry hints', () => {
  const headers = (init: Record<string, string> = {}): Headers => new Headers(init);

  it('reads retry-after-ms, then retry-after (seconds or date), then the message', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds(headers({ 'retry-after-ms': '2500', 'retry-after': '60' }), undefined, now)).toBe(3);
    expect(retryAfterSeconds(headers({ 'retry-after': '12' }), undefined, now)).toBe(12);
    expect(retryAfterSeconds(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), undefined, now)).toBe(30);
    expect(retryAfterSeconds(headers(), 'Limit 3. Please try again in 6m0s. Visit …', now)).toBe(360);
    expect(retryAfterSeconds(headers(), 'Please try again in 120ms.', now)).toBe(1);
    expect(retryAfterSeconds(headers(), 'No hint here.', now)).toBeUndefined();
  });

  it('429 takes the wait from the body when the header is hidden from the page (CORS)', () => {
    const body = JSON.stringify({ error: { message: 'Rate limit reached for gpt-5.2 on tokens per min. Please try again in 20s.', type: 'tokens', code: 'rate_limit_exceeded' } });
    const error = httpError(429, headers(), body, 'gpt-5.2', 'api.openai.com');
    expect(error.name).toBe('RemoteRateLimit');
    expect(error.retryAfterSeconds).toBe(20);
    expect(error.message).toMatch(/^Rate limit reached for "gpt-5\.2" at api\.openai\.com\. Try again in 20 s\./);
  });

  it('401 never repeats the server text (it echoes a masked key)', () => {
    const body = JSON.stringify({ error: { message: 'Incorrect API key provided: sk-proj-abc*****************xyz1.', type: 'invalid_request_error', code: 'invalid_api_key' } });
    const error = httpError(401, headers(), body, 'gpt-5.2', 'api.openai.com');
    expect(error.name).toBe('RemoteAuth');
    expect(error.message).toBe('api.openai.com refused the API key. Check the key in Settings.');
  });

  it('other statuses keep the server detail, scrubbed of anything key-shaped', () => {
    const body = JSON.stringify({ error: { message: "Unsupported value: 'reasoning_effort' does not support 'xhigh' with this model (key sk-live-1234).", type: 'invalid_request_error', code: 'unsupported_value' } });
    const error = httpError(400, headers(), body, 'gpt-5.2', 'api.openai.com');
    expect(error.name).toBe('RemoteHttp');
    expect(error.message).toMatch(/refused the request \(HTTP 400\).*does not support 'xhigh'/);
    expect(error.message).not.toContain('sk-live-1234');
    expect(error.code).toBe('unsupported_value');
    expect(scrubDetail('token sk-abc.DEF_123 and rk-9')).toBe('token sk-… and rk-…');
  });

  it('an HTML or empty error body gives the advice alone', () => {
    const html = httpError(502, headers(), '<html><body>Bad gateway</body></html>', 'gpt-5.2', 'proxy.example');
    expect(html.message).toBe('proxy.example could not get an answer from the model behind it (HTTP 502). Try again in a moment.');
    const empty = httpError(403, headers(), '', 'gpt-5.2', 'api.openai.com');
    expect(empty.name).toBe('RemoteModelAccess');
    expect(empty.message).not.toContain('(');
  });
});
