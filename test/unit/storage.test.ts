// The app-data store (src/lib/storage.ts) on fake-indexeddb: conversations with images come back as saved, and a
// stored image that is not a well-formed image data URL (a damaged or tampered record) is dropped from its message
// while the conversation and its text survive; a damaged conversation record, or a damaged index, is left out and
// counted so the app can say so.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createStore, get, set } from 'idb-keyval';
import { loadConversations, saveConversation } from '../../src/lib/storage';
import type { ChatImage, Conversation } from '../../src/lib/types';

const PNG = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64')}`;
const good: ChatImage = { id: 'g', name: 'good.png', dataUrl: PNG, width: 8, height: 8 };

function withImages(id: string, images: unknown[]): Conversation {
  const conversation: Conversation = {
    id,
    title: id,
    createdAt: 1,
    updatedAt: 1,
    messages: [{ id: `${id}-u`, role: 'user', content: 'Look at this', createdAt: 1 }],
  };
  Object.assign(conversation.messages[0] ?? {}, { images });
  return conversation;
}

describe('stored images', () => {
  it('come back exactly as saved', async () => {
    await saveConversation(withImages('kept', [good]));
    const restored = (await loadConversations()).conversations.find((conversation) => conversation.id === 'kept');
    expect(restored?.messages[0]?.images).toEqual([good]);
  });

  it('are dropped when damaged, keeping the message text and the good images', async () => {
    const svg = { ...good, id: 's', dataUrl: `data:image/svg+xml;base64,${Buffer.from('<svg onload="x()"/>').toString('base64')}` };
    const script = { ...good, id: 'j', dataUrl: 'javascript:alert(1)' };
    await saveConversation(withImages('damaged', [svg, good, script, 'not an image', null]));
    const notAList = withImages('not-a-list', []);
    Object.assign(notAList.messages[0] ?? {}, { images: 'data:image/png;base64,AAAA' });
    await saveConversation(notAList);
    const { conversations } = await loadConversations();
    const damaged = conversations.find((conversation) => conversation.id === 'damaged');
    expect(damaged?.messages[0]?.content).toBe('Look at this');
    expect(damaged?.messages[0]?.images).toEqual([good]);
    const listless = conversations.find((conversation) => conversation.id === 'not-a-list');
    expect(listless?.messages[0]?.content).toBe('Look at this');
    expect(listless?.messages[0]).not.toHaveProperty('images');
  });
});

describe('damaged records', () => {
  // The same database and store that storage.ts opens, to write what a damaged or tampered store holds.
  const raw = createStore('qwen-chat-app', 'data');

  it('are left out and counted, and every readable conversation still comes back', async () => {
    await saveConversation(withImages('readable', [good]));
    const before = await loadConversations();
    expect(before.leftOut).toBe(0);
    await set('v1:conversation:broken', { id: 'broken', title: 7, messages: 'none' }, raw);
    const ids = await get<string[]>('v1:conversation-index', raw);
    await set('v1:conversation-index', [...(ids ?? []), 'broken', 42], raw);

    const after = await loadConversations();
    expect(after.leftOut).toBe(2);
    expect(after.conversations.map((conversation) => conversation.id).sort()).toEqual(
      before.conversations.map((conversation) => conversation.id).sort(),
    );
    expect(after.conversations.some((conversation) => conversation.id === 'readable')).toBe(true);
  });

  it('count a damaged index as one record left out', async () => {
    await set('v1:conversation-index', 'not a list', raw);
    expect(await loadConversations()).toEqual({ conversations: [], leftOut: 1 });
  });
});
