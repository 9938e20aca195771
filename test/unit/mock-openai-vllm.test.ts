// The mock OpenAI server's vLLM mode and its `respond` hook, read through the app's real client: vLLM's usage
// shape (three counts, no details) must come through as usage with no cached or reasoning tokens; `respond`
// answers by prompt whatever the order of requests; a keyless server accepts requests with no Authorization.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatTurn } from '../../common/protocol';
import { streamRemote, type RemoteEvent, type RemoteSettings } from '../../src/lib/remote/openai';
import { MOCK_DEFAULT_REPLY, mockChunks, mockInputTokens, mockPrompt, startMockOpenAI, type MockOpenAI, type MockOpenAIOptions } from '../fixtures/mock-openai';

// streamRemote refuses an empty key, and a keyless mock accepts any.
const DUMMY_KEY = 'sk-dummy';

let mock: MockOpenAI | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: MockOpenAIOptions): Promise<MockOpenAI> {
  mock = await startMockOpenAI(options);
  return mock;
}

function settings(server: MockOpenAI, overrides: Partial<RemoteSettings> = {}): RemoteSettings {
  return { endpoint: server.url, apiKey: DUMMY_KEY, model: 'qwen3-8b', api: 'chat', reasoningEffort: 'default', ...overrides };
}

async function answer(server: MockOpenAI, turns: ChatTurn[], overrides: Partial<RemoteSettings> = {}): Promise<{ text: string; done: Extract<RemoteEvent, { type: 'done' }> }> {
  let text = '';
  for await (const event of streamRemote(settings(server, overrides), turns)) {
    if (event.type === 'delta') text += event.text;
    else return { text, done: event };
  }
  throw new Error('the stream ended without a done event');
}

/** The JSON chunks of a raw Chat Completions stream, without `[DONE]`. */
async function rawChunks(server: MockOpenAI, headers: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'qwen3-8b', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] }),
  });
  expect(response.status).toBe(200);
  const lines = (await response.text()).split('\n').filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]');
  return lines.map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
}

const ASK: ChatTurn[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say something.' },
];

describe('usageStyle vllm', () => {
  it('reports vLLM usage that streamRemote reads as input and output tokens, with no cached or reasoning tokens', async () => {
    // cachedInputTokens and reasoningTokens are set so an OpenAI-style detail leaking into vLLM mode would show.
    const server = await start({ usageStyle: 'vllm', cachedInputTokens: 2 });
    const reply = 'Four words of reply.';
    server.script({ kind: 'ok', text: reply, reasoningTokens: 3 });
    const { text, done } = await answer(server, ASK);
    expect(text).toBe(reply);
    expect(done.incomplete).toBe(false);
    const inputTokens = mockInputTokens(server.requests.at(-1)?.body);
    expect(inputTokens).toBeGreaterThan(0);
    expect(done.usage?.inputTokens).toBe(inputTokens);
    expect(done.usage?.outputTokens).toBe(mockChunks(reply).length + 3);
    expect(done.usage?.cachedInputTokens ?? 0).toBe(0);
    expect(done.usage?.reasoningTokens).toBe(0);
  });

  it('sends the final chunk with choices [] and the three counts only, and no usage key on the other chunks', async () => {
    const server = await start({ usageStyle: 'vllm' });
    const chunks = await rawChunks(server);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const outputTokens = mockChunks(MOCK_DEFAULT_REPLY).length;
    // 'Hi' is one token at 4 characters a token.
    expect(last?.usage).toEqual({ prompt_tokens: 1, completion_tokens: outputTokens, total_tokens: 1 + outputTokens });
    for (const chunk of chunks.slice(0, -1)) expect(Object.keys(chunk)).not.toContain('usage');
  });

  it('keeps OpenAI usage (with details and usage: null chunks) when usageStyle is absent', async () => {
    const server = await start({ cachedInputTokens: 1 });
    const chunks = await rawChunks(server);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 0 } });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
  });

  it('leaves the Responses API in OpenAI style', async () => {
    const server = await start({ usageStyle: 'vllm', cachedInputTokens: 2 });
    const { done } = await answer(server, ASK, { api: 'responses' });
    expect(done.usage?.cachedInputTokens).toBe(2);
  });
});

describe('respond', () => {
  it('answers each request by its prompt, whatever the order, and leaves the script for what it does not match', async () => {
    const server = await start({
      usageStyle: 'vllm',
      respond: ({ prompt }) => {
        if (prompt.includes('capital')) return { kind: 'ok', text: 'Paris.', delayMs: 30 };
        if (prompt.includes('prime')) return { kind: 'ok', text: 'Seven.' };
        return undefined;
      },
    });
    server.script({ kind: 'ok', text: 'From the script.' });
    const [capital, prime] = await Promise.all([
      answer(server, [{ role: 'user', content: 'What is the capital of France?' }]),
      answer(server, [{ role: 'user', content: 'Name a prime.' }], { api: 'responses' }),
    ]);
    expect(capital.text).toBe('Paris.');
    expect(prime.text).toBe('Seven.');
    // The matched requests did not take the queued scenario: the next unmatched one gets it.
    expect((await answer(server, [{ role: 'user', content: 'Anything else?' }])).text).toBe('From the script.');
  });

  it('sees the last user message, with content parts joined', async () => {
    const prompts: string[] = [];
    const server = await start({
      respond: ({ prompt, path }) => {
        prompts.push(`${path}: ${prompt}`);
        return undefined;
      },
    });
    const image = { dataUrl: 'data:image/png;base64,iVBORw0KGgo=', width: 1, height: 1 };
    await answer(server, [
      { role: 'user', content: 'First question.' },
      { role: 'assistant', content: 'First answer.' },
      { role: 'user', content: 'What is in the picture?', images: [image] },
    ]);
    expect(prompts).toEqual(['/v1/chat/completions: What is in the picture?']);
    expect(mockPrompt({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }] }] })).toBe('a\nb');
    expect(mockPrompt({ input: 'plain input' })).toBe('plain input');
    expect(mockPrompt({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'c' }] }] })).toBe('c');
  });

  it('runs after the key check', async () => {
    let asked = 0;
    const server = await start({
      expectedKey: 'sk-right',
      respond: () => {
        asked += 1;
        return { kind: 'ok', text: 'Should not be sent.' };
      },
    });
    await expect(answer(server, ASK, { apiKey: 'sk-wrong' })).rejects.toMatchObject({ name: 'RemoteAuth' });
    expect(asked).toBe(0);
  });
});

describe('keys', () => {
  it('accepts and records a request with no Authorization header when no key is expected', async () => {
    const server = await start({ usageStyle: 'vllm' });
    const chunks = await rawChunks(server);
    expect(chunks.length).toBeGreaterThan(2);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.authorization).toBeUndefined();
  });

  it('refuses a missing header when a key is expected, unless requireKey is false', async () => {
    const strict = await start({ expectedKey: 'sk-right' });
    const refused = await fetch(`${strict.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    await strict.close();
    const relaxed = await start({ expectedKey: 'sk-right', requireKey: false });
    expect((await rawChunks(relaxed)).at(-1)?.usage).toBeDefined();
  });
});
