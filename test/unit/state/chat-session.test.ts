// ChatSession's local turns on a fake engine client: send, stop, regenerate, edit and re-run, and a DeviceLost
// failure followed by a reloaded model.
import { describe, expect, it } from 'vitest';
import { engineFailure, fakeChat, LOCAL_METRICS } from './chat-fakes';

describe('a local turn', () => {
  it('streams the answer, stores its metrics and writes the conversation', async () => {
    const { chat, client, storage } = fakeChat();
    client.script({ tokens: ['Hello', ', ', 'world'] });
    await chat.send('  Say hello  ');

    const messages = chat.current?.messages ?? [];
    expect(messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Say hello'],
      ['assistant', 'Hello, world'],
    ]);
    expect(messages[1]).toMatchObject({ status: 'done', finishReason: 'stop', metrics: LOCAL_METRICS, device: 'webgpu', modelId: 'tiny-qwen3' });
    expect(chat.current?.title).toBe('Say hello');
    expect(client.requests[0]?.messages.at(-1)).toEqual({ role: 'user', content: 'Say hello' });
    expect(storage.records.get(chat.current?.id ?? '')?.messages.at(-1)).toMatchObject({ content: 'Hello, world', status: 'done' });
    expect(chat.streaming).toBe(false);
    expect(chat.canSend).toBe(true);
  });

  it('sends the earlier exchange with the next message', async () => {
    const { chat, client } = fakeChat();
    client.script({ tokens: ['Seven.'] }, { tokens: ['Eleven.'] });
    await chat.send('Name a prime.');
    await chat.send('Another one?');
    expect(client.requests[1]?.messages.map((turn) => turn.content)).toEqual(['Name a prime.', 'Seven.', 'Another one?']);
    expect(chat.current?.messages.at(-1)?.content).toBe('Eleven.');
  });

  it('stops: the partial answer is kept and marked stopped, and the next message can go', async () => {
    const { chat, client } = fakeChat();
    client.script({ tokens: ['One', ' two', ' three', ' four'], holdAfter: 2 });
    const sending = chat.send('Count');
    await client.hold.reached;
    expect(chat.streaming).toBe(true);
    expect(chat.canSend).toBe(false);
    chat.stop();
    await sending;

    const answer = chat.current?.messages.at(-1);
    expect(answer).toMatchObject({ role: 'assistant', content: 'One two', status: 'stopped', finishReason: 'aborted' });
    expect(chat.canSend).toBe(true);
  });

  it('regenerates: the last answer is replaced, not added to', async () => {
    const { chat, client } = fakeChat();
    client.script({ tokens: ['First try'] }, { tokens: ['Second try'] });
    await chat.send('Tell me a joke');
    const firstId = chat.current?.messages[1]?.id;
    await chat.regenerate();

    const messages = chat.current?.messages ?? [];
    expect(messages).toHaveLength(2);
    expect(messages[1]?.content).toBe('Second try');
    expect(messages[1]?.id).not.toBe(firstId);
    expect(client.requests[1]?.messages.map((turn) => turn.content)).toEqual(['Tell me a joke']);
  });

  it('edits a question and re-runs from there: later messages are dropped', async () => {
    const { chat, client } = fakeChat();
    client.script({ tokens: ['Paris.'] }, { tokens: ['Berlin is big.'] }, { tokens: ['Rome.'] });
    await chat.send('Capital of France?');
    await chat.send('And Germany?');
    const firstQuestion = chat.current?.messages[0]?.id ?? '';
    await chat.editAndRerun(firstQuestion, 'Capital of Italy?');

    expect(chat.current?.messages.map((message) => message.content)).toEqual(['Capital of Italy?', 'Rome.']);
    expect(client.requests[2]?.messages.map((turn) => turn.content)).toEqual(['Capital of Italy?']);
  });

  it('after DeviceLost keeps the partial text, names the error, tells the model state, and works once reloaded', async () => {
    const { chat, client, models } = fakeChat();
    client.script({ tokens: ['The sea is', ' deep'], failure: engineFailure('DeviceLost') }, { tokens: ['Back again.'] });
    await chat.send('Tell me about the sea');

    const failed = chat.current?.messages.at(-1);
    expect(failed).toMatchObject({ content: 'The sea is deep', status: 'error', error: { name: 'DeviceLost' } });
    expect(models.failures.map((failure) => failure.name)).toEqual(['DeviceLost']);
    expect(chat.canSend).toBe(false);
    await chat.send('Ignored while the model is down');
    expect(client.requests).toHaveLength(1);

    models.reload();
    expect(chat.canSend).toBe(true);
    await chat.send('Still there?');
    const messages = chat.current?.messages ?? [];
    expect(messages.at(-1)).toMatchObject({ content: 'Back again.', status: 'done' });
    // The failed answer is not sent back to the model as if it had said it.
    expect(client.requests[1]?.messages.map((turn) => turn.content)).toEqual(['Tell me about the sea', 'Still there?']);
  });

  it('counts images a text-only model was not shown', async () => {
    const { chat, client } = fakeChat();
    const image = { id: 'i', name: 'cat.png', dataUrl: 'data:image/png;base64,AAAA', width: 2, height: 2 };
    await chat.send('What is this?', [image]);
    expect(chat.current?.messages.at(-1)?.imagesLeftOut).toBe(1);
    expect(client.requests[0]?.messages.at(-1)).toEqual({ role: 'user', content: 'What is this?' });
  });
});
