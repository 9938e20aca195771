// Compared turns through ChatSession, with a scripted remote stream: both sides stream, each fails and stops on its
// own, the remote figures (visible decode rate, cost) and the notices for an answer that ended early.
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../../src/lib/remote/errors';
import { finishedAnswer, incompleteNotice, remoteDecodeRate, visibleTokensPerS } from '../../../src/lib/remote/remote-answer';
import { engineFailure, fakeChat, REMOTE_DONE } from './chat-fakes';

function comparing(): ReturnType<typeof fakeChat> {
  const rig = fakeChat();
  rig.compare.active = true;
  return rig;
}

describe('a compared turn', () => {
  it('streams both answers and records the remote figures', async () => {
    const { chat, client, remote, storage } = comparing();
    client.script({ tokens: ['Local ', 'answer'] });
    remote.script({ deltas: ['Remote ', 'answer'] });
    await chat.send('Tell me about the sea');

    const answer = chat.current?.messages.at(-1);
    expect(answer).toMatchObject({ content: 'Local answer', status: 'done' });
    expect(answer?.remote).toMatchObject({
      model: 'gpt-5.2',
      content: 'Remote answer',
      status: 'done',
      incomplete: false,
      usage: REMOTE_DONE.usage,
      timeToFirstTokenMs: 500,
      totalMs: 2500,
    });
    expect(answer?.remote?.error).toBeUndefined();
    // 50 output tokens, 10 of them reasoning, over the 2 s after the first token.
    expect(answer?.remote?.tokensPerS).toBeCloseTo(20, 10);
    expect(answer?.remote?.costUsd).toBeCloseTo((20 * 1.75 + 50 * 14) / 1e6, 12);
    expect(remote.turns[0]?.at(-1)).toEqual({ role: 'user', content: 'Tell me about the sea' });
    expect(storage.records.get(chat.current?.id ?? '')?.messages.at(-1)?.remote?.content).toBe('Remote answer');
  });

  it('gives each side its own earlier answers', async () => {
    const { chat, client, remote } = comparing();
    client.script({ tokens: ['Local one'] }, { tokens: ['Local two'] });
    remote.script({ deltas: ['Remote one'] }, { deltas: ['Remote two'] });
    await chat.send('First');
    await chat.send('Second');
    expect(client.requests[1]?.messages.map((turn) => turn.content)).toEqual(['First', 'Local one', 'Second']);
    expect(remote.turns[1]?.map((turn) => turn.content)).toEqual(['First', 'Remote one', 'Second']);
  });

  it('shows a remote failure on the remote side only, while the local answer completes', async () => {
    const { chat, client, remote, models } = comparing();
    client.script({ tokens: ['Local ', 'still ', 'fine'] });
    remote.script({ deltas: ['Half'], failure: new RemoteError('RemoteRateLimit', 'Rate limit reached. Try again in 7 s.') });
    await chat.send('Go');

    const answer = chat.current?.messages.at(-1);
    expect(answer).toMatchObject({ content: 'Local still fine', status: 'done' });
    expect(answer?.metrics).toBeDefined();
    expect(answer?.error).toBeUndefined();
    expect(answer?.remote).toMatchObject({ content: 'Half', status: 'error', error: { name: 'RemoteRateLimit', message: 'Rate limit reached. Try again in 7 s.' } });
    expect(models.failures).toEqual([]);
    expect(chat.canSend).toBe(true);
  });

  it('names a failure that is not a RemoteError RemoteHttp', async () => {
    const { chat, remote } = comparing();
    remote.script({ deltas: [], failure: new TypeError('body stream broke') });
    await chat.send('Go');
    expect(chat.current?.messages.at(-1)?.remote).toMatchObject({ status: 'error', error: { name: 'RemoteHttp', message: 'body stream broke' } });
  });

  it('shows a local failure on the local side only, while the remote answer completes', async () => {
    const { chat, client, remote, models } = comparing();
    client.script({ tokens: ['Lost'], failure: engineFailure('DeviceLost') });
    remote.script({ deltas: ['Remote ', 'fine'] });
    await chat.send('Go');
    const answer = chat.current?.messages.at(-1);
    expect(answer).toMatchObject({ content: 'Lost', status: 'error', error: { name: 'DeviceLost' } });
    expect(answer?.remote).toMatchObject({ content: 'Remote fine', status: 'done' });
    expect(models.failures.map((failure) => failure.name)).toEqual(['DeviceLost']);
  });

  it('stops the remote side on its own: it is stopped, not failed, and the local side finishes', async () => {
    const { chat, client, remote } = comparing();
    client.script({ tokens: ['Local ', 'done'] });
    remote.script({ deltas: ['Remote ', 'never ', 'finishes'], holdAfter: 1 });
    const sending = chat.send('Go');
    await remote.hold.reached;
    expect(chat.remoteStreaming).toBe(true);
    chat.stopRemote();
    await sending;
    const answer = chat.current?.messages.at(-1);
    expect(answer?.remote).toMatchObject({ content: 'Remote ', status: 'stopped' });
    expect(answer?.remote?.error).toBeUndefined();
    expect(answer).toMatchObject({ content: 'Local done', status: 'done' });
  });

  it('has no cost for a model without a price, and a blind turn records its vote', async () => {
    const { chat, compare, storage } = comparing();
    compare.price = undefined;
    compare.blind = true;
    await chat.send('Go');
    const answer = chat.current?.messages.at(-1);
    expect(answer?.remote?.usage).toBeDefined();
    expect(answer?.remote?.costUsd).toBeUndefined();
    expect(['local', 'remote']).toContain(answer?.blind?.aIs);
    if (answer) await chat.vote(answer, 'remote');
    expect(storage.records.get(chat.current?.id ?? '')?.messages.at(-1)?.blind?.vote).toBe('remote');
  });
});

describe('a remote answer that ended early', () => {
  it.each([
    ['max_output_tokens', 'RemoteIncomplete', /output token limit/, 'done'],
    ['content_filter', 'RemoteIncomplete', /content filter/, 'done'],
    ['cut', 'RemoteStreamCut', /connection was cut[\s\S]*kept/, 'error'],
  ] as const)('(%s) keeps its text and says why', async (reason, name, words, status) => {
    const { chat, remote } = comparing();
    const usage = reason === 'cut' ? undefined : REMOTE_DONE.usage;
    remote.script({ deltas: ['What ', 'arrived'], done: { incomplete: true, incompleteReason: reason, usage } });
    await chat.send('Go');
    const answer = chat.current?.messages.at(-1)?.remote;
    expect(answer).toMatchObject({ content: 'What arrived', incomplete: true, status, error: { name } });
    expect(answer?.error?.message).toMatch(words);
    expect(answer?.costUsd === undefined).toBe(reason === 'cut');
  });
});

describe('remote figures', () => {
  it('count only shown tokens over the time after the first one', () => {
    const usage = { inputTokens: 5, outputTokens: 120, reasoningTokens: 100 };
    expect(visibleTokensPerS(usage, { timeToFirstTokenMs: 3000, totalMs: 4000 })).toBeCloseTo(20, 10);
    expect(visibleTokensPerS(usage, { timeToFirstTokenMs: 4000, totalMs: 4000 })).toBeUndefined();
  });

  it('have no rate when the answer arrived in one burst, and the stored figure of an old answer obeys the rule', () => {
    const usage = { inputTokens: 5, outputTokens: 400, reasoningTokens: 0 };
    const burst = { type: 'done', usage, incomplete: false, timing: { timeToFirstTokenMs: 900, totalMs: 904.2 } } as const;
    const fields = finishedAnswer(burst, undefined);
    expect(fields.tokensPerS).toBeUndefined();
    expect('tokensPerS' in fields).toBe(false);
    const stored = { model: 'gpt-5.2', content: 'x', status: 'done', incomplete: false, usage, timeToFirstTokenMs: 900, totalMs: 904.2, tokensPerS: 95_246 } as const;
    expect(remoteDecodeRate(stored)).toBeUndefined();
    expect(remoteDecodeRate({ ...stored, totalMs: 2900 })).toBeCloseTo(200, 10);
    expect(remoteDecodeRate({ ...stored, usage: undefined })).toBeUndefined();
  });

  it('price the usage per million tokens, reasoning inside the output', () => {
    const usage = { inputTokens: 1000, outputTokens: 500, reasoningTokens: 200 };
    const done = { type: 'done', usage, incomplete: false, timing: { timeToFirstTokenMs: 100, totalMs: 1100 } } as const;
    const fields = finishedAnswer(done, { inputPerMillion: 2, outputPerMillion: 10 });
    expect(fields.costUsd).toBeCloseTo(0.007, 12);
    expect(fields.tokensPerS).toBeCloseTo(300, 10);
    expect(finishedAnswer(done, undefined).costUsd).toBeUndefined();
  });

  it('name each early end with one text', () => {
    expect(incompleteNotice('cut')).toEqual({ name: 'RemoteStreamCut', message: expect.stringMatching(/kept/) });
    expect(incompleteNotice('max_output_tokens').name).toBe('RemoteIncomplete');
    expect(incompleteNotice('content_filter').message).not.toBe(incompleteNotice('max_output_tokens').message);
  });
});
