// The remote client's answers to the faults the fault suite drives in the browser, here over real HTTP against the
// mock server and on hand-made streams: 403 / 404 (model or address) / 502-504, silence before the headers and part
// way through (RemoteTimeout), lines that are no SSE field (skipped), an event whose JSON is cut (RemoteBadResponse,
// the text before it delivered), an endless event, and the idle timer and its bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurn } from '../../common/protocol';
import { httpError, isRemoteError, type RemoteError } from '../../src/lib/remote/errors';
import { DEFAULT_IDLE_TIMEOUT_S, IdleTimer, validIdleTimeoutS } from '../../src/lib/remote/idle-timeout';
import { streamRemote, type RemoteEvent, type RemoteSettings } from '../../src/lib/remote/openai';
import { startMockOpenAI, type MockOpenAI } from '../fixtures/mock-openai';

const KEY = 'sk-test-faults-0123456789';
const TURNS: ChatTurn[] = [{ role: 'user', content: 'Count to ten.' }];
const TEN = 'one two three four five six seven eight nine ten';

let mock: MockOpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ expectedKey: KEY, knownModels: ['gpt-5.2'] });
});

afterAll(async () => {
  await mock.close();
});

function settings(overrides: Partial<RemoteSettings> = {}): RemoteSettings {
  return { endpoint: mock.url, apiKey: KEY, model: 'gpt-5.2', api: 'responses', reasoningEffort: 'default', ...overrides };
}

/** Runs the stream to its end: the events, and the RemoteError it threw (undefined for a clean end). */
async function run(stream: AsyncIterable<RemoteEvent>): Promise<{ events: RemoteEvent[]; error: RemoteError | undefined }> {
  const events: RemoteEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    if (isRemoteError(error)) return { events, error };
    throw error;
  }
  return { events, error: undefined };
}

function text(events: RemoteEvent[]): string {
  return events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('');
}

const HOST = () => `127.0.0.1:${mock.port}`;

describe('HTTP statuses the fault suite adds', () => {
  it('an unknown model id is a 404 that names the model and says to check it', async () => {
    const { events, error } = await run(streamRemote(settings({ model: 'gpt-5.2-nonexistent' }), TURNS));
    expect(events).toEqual([]);
    expect(error?.name).toBe('RemoteModelAccess');
    expect(error?.status).toBe(404);
    expect(error?.message).toContain('There is no model "gpt-5.2-nonexistent"');
    expect(error?.message).toContain('Check the model id in Settings');
    expect(error?.message).toContain(HOST());
  });

  it('a 404 for a wrong address (no /v1) says to check the endpoint, not the model', async () => {
    const { error } = await run(streamRemote(settings({ endpoint: mock.url.replace(/\/v1$/, '') }), TURNS));
    expect(error?.name).toBe('RemoteHttp');
    expect(error?.status).toBe(404);
    expect(error?.message).toMatch(/nothing at this address \(HTTP 404\)\. Check the endpoint base URL \(it usually ends in \/v1\)/);
  });

  it('other servers\u2019 404 bodies: a text that speaks of the model counts as an unknown model', () => {
    const ollama = JSON.stringify({ error: { message: 'model "qwen9" not found, try pulling it first', type: 'api_error', code: null } });
    expect(httpError(404, new Headers(), ollama, 'qwen9', 'localhost:11434').name).toBe('RemoteModelAccess');
    expect(httpError(404, new Headers(), '<html>Not Found</html>', 'qwen9', 'localhost:11434').name).toBe('RemoteHttp');
  });

  it('403 names the model and the key', async () => {
    mock.script({ kind: 'status', status: 403 });
    const { error } = await run(streamRemote(settings(), TURNS));
    expect(error?.name).toBe('RemoteModelAccess');
    expect(error?.message).toMatch(/This API key has no access to the model "gpt-5\.2".*use a key whose project may call it/);
  });

  it('503 is RemoteUnavailable with the wait the server asks for', async () => {
    mock.script({ kind: 'status', status: 503, retryAfterSeconds: 12 });
    const { error } = await run(streamRemote(settings(), TURNS));
    expect(error?.name).toBe('RemoteUnavailable');
    expect(error?.retryAfterSeconds).toBe(12);
    expect(error?.message).toMatch(/overloaded or down for maintenance \(HTTP 503\)\. Try again in 12 s\./);
  });

  it('502 and 504 are RemoteUnavailable too; 500 stays RemoteHttp', () => {
    for (const status of [502, 504]) {
      const error = httpError(status, new Headers(), '', 'gpt-5.2', 'api.example.com');
      expect(error.name).toBe('RemoteUnavailable');
      expect(error.message).toBe(`api.example.com could not get an answer from the model behind it (HTTP ${status}). Try again in a moment.`);
    }
    expect(httpError(500, new Headers(), '', 'gpt-5.2', 'api.example.com').name).toBe('RemoteHttp');
  });
});

describe('silence: the idle timeout', () => {
  it('an endpoint that sends no byte at all times out with RemoteTimeout, naming the wait', async () => {
    mock.script({ kind: 'silent' });
    const started = performance.now();
    const { events, error } = await run(streamRemote(settings({ idleTimeoutMs: 400 }), TURNS));
    const waitedMs = performance.now() - started;
    expect(events).toEqual([]);
    expect(error?.name).toBe('RemoteTimeout');
    expect(error?.message).toContain(`${HOST()} sent nothing back for 0.4 s`);
    expect(error?.message).toContain('raise "Stop waiting after" in Settings');
    // Structure, not speed: it did wait, and it did not wait for the default two minutes.
    expect(waitedMs).toBeGreaterThanOrEqual(350);
    expect(waitedMs).toBeLessThan(DEFAULT_IDLE_TIMEOUT_S * 1000);
  });

  it('a stream that goes quiet part way delivers what came, then RemoteTimeout that says it is kept', async () => {
    mock.script({ kind: 'stall', text: TEN, afterChunks: 3 });
    const { events, error } = await run(streamRemote(settings({ api: 'chat', idleTimeoutMs: 1_000 }), TURNS));
    expect(text(events)).toBe('one two three ');
    expect(error?.name).toBe('RemoteTimeout');
    expect(error?.message).toMatch(/stopped sending part way through the answer for 1 s.*What arrived is kept/);
  });

  it('a slow but steady stream never times out: each byte restarts the wait', async () => {
    mock.script({ kind: 'ok', text: TEN, delayMs: 150 });
    const { events, error } = await run(streamRemote(settings({ idleTimeoutMs: 600 }), TURNS));
    expect(error).toBeUndefined();
    expect(text(events)).toBe(TEN);
  });

  it('the user stopping a silent request is Aborted, not a timeout', async () => {
    mock.script({ kind: 'silent' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { error } = await run(streamRemote(settings({ idleTimeoutMs: 5_000 }), TURNS, controller.signal));
    expect(error?.name).toBe('Aborted');
  });

  it('a fetchImpl that ignores the signal still times out, before the headers and inside the body', async () => {
    const offline: RemoteSettings = { ...settings(), endpoint: 'https://api.openai.com/v1', idleTimeoutMs: 200 };
    const neverAnswers: typeof fetch = () => new Promise<Response>(() => undefined);
    const before = await run(streamRemote(offline, TURNS, undefined, neverAnswers));
    expect(before.error?.name).toBe('RemoteTimeout');
    expect(before.error?.message).toContain('api.openai.com sent nothing back for 0.2 s');

    const delta = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hi"}\n\n';
    const stalls: typeof fetch = () =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(delta));
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      );
    const inside = await run(streamRemote(offline, TURNS, undefined, stalls));
    expect(text(inside.events)).toBe('Hi');
    expect(inside.error?.name).toBe('RemoteTimeout');
    expect(inside.error?.message).toContain('stopped sending part way through the answer for 0.2 s');
  });

  it('IdleTimer fires once, after the wait since the last touch', async () => {
    const timer = new IdleTimer(120);
    await new Promise((resolve) => setTimeout(resolve, 80));
    timer.touch();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(timer.fired).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(timer.fired).toBe(true);
    expect(timer.signal.aborted).toBe(true);
    expect(timer.signal.reason).toBeInstanceOf(DOMException);
    timer.stop();
  });

  it('the setting takes whole seconds from 1 to 3600 and nothing else', () => {
    expect(validIdleTimeoutS(2)).toBe(2);
    expect(validIdleTimeoutS(2.4)).toBe(2);
    expect(validIdleTimeoutS(3600)).toBe(3600);
    for (const bad of [0, -5, 3601, Number.NaN, Number.POSITIVE_INFINITY]) expect(validIdleTimeoutS(bad)).toBeUndefined();
  });
});

describe('malformed SSE', () => {
  for (const api of ['responses', 'chat'] as const) {
    it(`${api}: lines that are no SSE field are skipped and the whole answer arrives`, async () => {
      mock.script({ kind: 'malformed', text: TEN, garbageLines: true });
      const { events, error } = await run(streamRemote(settings({ api }), TURNS));
      expect(error).toBeUndefined();
      expect(text(events)).toBe(TEN);
      expect(text(events)).not.toContain('GARBAGE');
      const done = events.at(-1);
      expect(done?.type === 'done' && done.incomplete).toBe(false);
    });

    it(`${api}: an event whose JSON is cut stops the answer there, after the text before it`, async () => {
      mock.script({ kind: 'malformed', text: TEN, garbageLines: true, brokenAfterChunks: 4 });
      const { events, error } = await run(streamRemote(settings({ api }), TURNS));
      expect(text(events)).toBe('one two three four ');
      expect(error?.name).toBe('RemoteBadResponse');
      expect(error?.message).toMatch(/sent a broken event part way through the answer \(an event that is not JSON: .*BROK\)\. The answer stops there; what arrived is kept\. Try again\./);
    });
  }

  it('a broken event before any text says the endpoint does not speak the API', async () => {
    mock.script({ kind: 'malformed', text: TEN, brokenAfterChunks: 0 });
    const { events, error } = await run(streamRemote(settings(), TURNS));
    expect(events).toEqual([]);
    expect(error?.name).toBe('RemoteBadResponse');
    expect(error?.message).toMatch(/did not answer like an OpenAI-compatible API.*Check the endpoint address and the API type/);
  });

  it('an event that never ends is refused once it passes 8 MiB, instead of filling memory', async () => {
    const endless: typeof fetch = () => {
      const piece = new TextEncoder().encode('x'.repeat(1024 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(sent === 0 ? new TextEncoder().encode('data: ') : piece);
          sent += 1;
          if (sent > 64) controller.close();
        },
      });
      return Promise.resolve(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
    };
    const offline: RemoteSettings = { ...settings(), endpoint: 'https://api.openai.com/v1' };
    const { error } = await run(streamRemote(offline, TURNS, undefined, endless));
    expect(error?.name).toBe('RemoteBadResponse');
    expect(error?.message).toContain('an event larger than 8 MiB');
  });
});
