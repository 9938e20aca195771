// A conversation save that fails (a full quota) is shown, and retried by the store itself: after 2 s, then longer
// apart, until a write succeeds; then the notice clears and the retries stop. No message needs to be sent.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationStore, SAVE_RETRY_DELAYS_MS } from '../../../src/lib/state/conversation-store.svelte';
import { FakeSettings, FakeStorage, quotaExceeded } from './chat-fakes';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The fake storage waits a timer tick per write: let fake time run until `work` is done. */
async function settled(work: Promise<void>): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  await work;
}

async function unsavedConversation(storage: FakeStorage): Promise<{ store: ConversationStore; id: string }> {
  const store = new ConversationStore(new FakeSettings(), storage);
  const conversation = store.addUserMessage('Keep me', []);
  await settled(store.save(conversation));
  return { store, id: conversation.id };
}

describe('a failed save', () => {
  it('is retried on its own, more slowly each time, and the notice clears once it is written', async () => {
    const storage = new FakeStorage();
    storage.failWith = quotaExceeded();
    const { store, id } = await unsavedConversation(storage);
    expect(store.saveError?.name).toBe('ConversationNotSaved');
    expect(store.saveError?.message).toContain('storage panel');
    expect(storage.writes).toHaveLength(1);

    const [first = 0, second = 0] = SAVE_RETRY_DELAYS_MS;
    await vi.advanceTimersByTimeAsync(first - 1);
    expect(storage.writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(storage.writes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10); // the fake storage takes a timer tick to fail the write
    expect(store.saveError?.name).toBe('ConversationNotSaved');

    // Space was freed: the next retry writes the conversation, with nothing sent by the user.
    storage.failWith = undefined;
    await vi.advanceTimersByTimeAsync(second);
    expect(storage.writes).toHaveLength(3);
    expect(storage.records.get(id)?.messages.map((message) => message.content)).toEqual(['Keep me']);
    expect(store.saveError).toBeUndefined();

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(storage.writes).toHaveLength(3);
  });

  it('keeps retrying a minute apart while the quota stays full, and retrySaving writes at once', async () => {
    const storage = new FakeStorage();
    storage.failWith = quotaExceeded();
    const { store, id } = await unsavedConversation(storage);
    const total = SAVE_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
    await vi.advanceTimersByTimeAsync(total + 2 * 60_000 + 500);
    expect(storage.writes).toHaveLength(1 + SAVE_RETRY_DELAYS_MS.length + 2);
    expect(store.saveError?.name).toBe('ConversationNotSaved');

    storage.failWith = undefined;
    await settled(store.retrySaving());
    expect(storage.records.has(id)).toBe(true);
    expect(store.saveError).toBeUndefined();
    const writes = storage.writes.length;
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(storage.writes).toHaveLength(writes);
  });
});
