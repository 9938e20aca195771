// Saving and restoring conversations through ChatSession: a write that fails (a full disk, or anything else) is
// shown, keeps the conversation in memory and is written again on the next save; the conversation is written while
// an answer streams; restore keeps what it could read and says what it could not.
import 'fake-indexeddb/auto';
import { createStore, get, set } from 'idb-keyval';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { idbConversationStorage } from '../../../src/lib/state/conversation-store.svelte';
import { saveConversation } from '../../../src/lib/storage';
import { exportJson } from '../../../src/lib/transfer';
import type { Conversation } from '../../../src/lib/types';
import { fakeChat, quotaExceeded } from './chat-fakes';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a save that fails', () => {
  it('with a full disk tells the user, keeps the conversation, and the next save writes it and clears the notice', async () => {
    const { chat, client, storage } = fakeChat();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    storage.failWith = quotaExceeded();
    client.script({ tokens: ['Kept ', 'in memory'] });
    await chat.send('Remember this');

    const id = chat.current?.id ?? '';
    expect(chat.saveError?.name).toBe('ConversationNotSaved');
    expect(chat.saveError?.message).toMatch(/\(the disk is full\)/);
    expect(chat.current?.messages.map((message) => message.content)).toEqual(['Remember this', 'Kept in memory']);
    expect(storage.writes.length).toBeGreaterThan(0);
    expect(storage.records.has(id)).toBe(false);

    storage.failWith = undefined;
    await chat.rename(id, 'Renamed after the disk was freed');
    expect(storage.records.get(id)).toMatchObject({ title: 'Renamed after the disk was freed' });
    expect(storage.records.get(id)?.messages.map((message) => message.content)).toEqual(['Remember this', 'Kept in memory']);
    expect(chat.saveError).toBeUndefined();
  });

  it('a delete that fails on disk says the conversation may come back', async () => {
    const { chat, client, storage } = fakeChat();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    client.script({ tokens: ['Answer'] });
    await chat.send('Delete me');
    const id = chat.current?.id ?? '';
    expect(storage.records.has(id)).toBe(true);
    storage.failWith = new Error('disk gone');
    await chat.remove(id);
    expect(chat.conversations).toEqual([]);
    expect(storage.records.has(id)).toBe(true);
    expect(chat.saveError?.name).toBe('ConversationNotDeleted');
    expect(chat.saveError?.message).toContain('disk gone');
  });

  it('is retried by the next save of another conversation too', async () => {
    const { chat, storage } = fakeChat();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    storage.failWith = new DOMException('The transaction was aborted.', 'UnknownError');
    await chat.send('First conversation');
    const first = chat.current?.id ?? '';
    expect(chat.saveError?.message).toMatch(/UnknownError/);
    expect(chat.saveError?.message).not.toMatch(/\(the disk is full\)/);

    storage.failWith = undefined;
    chat.newConversation();
    await chat.send('Second conversation');
    const second = chat.current?.id ?? '';
    expect(second).not.toBe(first);
    expect(storage.records.get(first)?.messages.map((message) => message.content)).toEqual(['First conversation', 'OK']);
    expect(storage.records.has(second)).toBe(true);
    expect(chat.saveError).toBeUndefined();
  });

  it('keeps the notice while any conversation is still unsaved', async () => {
    const { chat, storage } = fakeChat();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    storage.failWith = quotaExceeded();
    await chat.send('Will not fit');
    await chat.setSystemPrompt('Be brief.');
    expect(chat.saveError?.name).toBe('ConversationNotSaved');
    expect(chat.current?.systemPrompt).toBe('Be brief.');
  });

  it('of an import keeps the imported conversations on screen and says they are not saved', async () => {
    const { chat, storage } = fakeChat();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    storage.failWith = quotaExceeded();
    const file = exportJson([{ id: 'imp', title: 'Imported', createdAt: 1, updatedAt: 1, messages: [] }]);
    const report = await chat.importText(file);
    expect(report.imported).toHaveLength(1);
    expect(chat.conversations.map((conversation) => conversation.title)).toContain('Imported');
    expect(chat.saveError?.name).toBe('ConversationNotSaved');
    storage.failWith = undefined;
    await chat.rename(report.imported[0]?.id ?? '', 'Imported, then saved');
    expect([...storage.records.values()].map((conversation) => conversation.title)).toEqual(['Imported, then saved']);
  });
});

describe('saving while an answer streams', () => {
  it('writes the partial answer once a second has passed, and the whole one at the end', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const { chat, client, storage } = fakeChat();
    client.script({ tokens: ['Part one', ', part two'], holdAfter: 1 });
    const sending = chat.send('Stream slowly');
    await client.hold.reached;
    const before = storage.writes.length;
    now = 1500;
    client.hold.release();
    await sending;

    const streamed = storage.writes.slice(before).find((conversation) => conversation.messages.at(-1)?.status === 'streaming');
    expect(streamed?.messages.at(-1)?.content.startsWith('Part one')).toBe(true);
    expect(storage.writes.at(-1)?.messages.at(-1)).toMatchObject({ status: 'done', content: 'Part one, part two' });
  });

  it('does not write per token inside the same second', async () => {
    vi.spyOn(performance, 'now').mockReturnValue(0);
    const { chat, client, storage } = fakeChat();
    client.script({ tokens: ['a', 'b', 'c', 'd', 'e', 'f'] });
    await chat.send('Quick');
    // One write when the question goes out, one when the answer ends.
    expect(storage.writes).toHaveLength(2);
  });
});

function stored(id: string, updatedAt: number): Conversation {
  return { id, title: `Title ${id}`, createdAt: 1, updatedAt, messages: [{ id: `${id}-u`, role: 'user', content: `Question ${id}`, createdAt: 1 }] };
}

describe('restore', () => {
  it('keeps the readable conversations and reports the damaged one', async () => {
    await saveConversation(stored('good-old', 1));
    await saveConversation(stored('good-new', 2));
    const raw = createStore('qwen-chat-app', 'data');
    await set('v1:conversation:damaged', { id: 'damaged', title: ['not text'], messages: [{ role: 'robot' }] }, raw);
    await set('v1:conversation-index', [...((await get<string[]>('v1:conversation-index', raw)) ?? []), 'damaged'], raw);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const { chat } = fakeChat(idbConversationStorage);
    await chat.restore();
    expect(chat.conversations.map((conversation) => conversation.id)).toEqual(['good-new', 'good-old']);
    expect(chat.current?.id).toBe('good-new');
    expect(chat.restoreError?.name).toBe('ConversationsUnreadable');
    expect(chat.restoreError?.message).toMatch(/1 unreadable record/);
    chat.dismissRestoreError();
    expect(chat.restoreError).toBeUndefined();
  });

  it('reports a store that cannot be read at all, and the chat still works', async () => {
    const { chat, storage } = fakeChat();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    storage.loadFailure = new DOMException('IndexedDB is not available.', 'InvalidStateError');
    await chat.restore();
    expect(chat.restoreError?.name).toBe('ConversationsUnreadable');
    expect(chat.restoreError?.message).toMatch(/InvalidStateError/);
    expect(chat.conversations).toEqual([]);
    await chat.send('Hello anyway');
    expect(chat.current?.messages.at(-1)?.content).toBe('OK');
  });

  it('says nothing when every record was read', async () => {
    const { chat, storage } = fakeChat();
    storage.records.set('a', stored('a', 1));
    await chat.restore();
    expect(chat.conversations).toHaveLength(1);
    expect(chat.restoreError).toBeUndefined();
  });
});
