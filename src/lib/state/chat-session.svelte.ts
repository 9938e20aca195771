// The conversations and the answer being streamed. Tokens are buffered and applied to the state once per animation
// frame, so a fast model never re-renders the page per token; the conversation is written to IndexedDB while the
// answer streams (at most once a second) and once more when it ends, so a reload loses at most the last moment.
import { toEngineFailure, type EngineClient } from '../engine-client';
import { buildTurns } from '../history';
import type { GenerationResult } from '../protocol';
import { deleteConversation, loadConversations, saveConversation } from '../storage';
import type { ChatMessage, Conversation } from '../types';
import type { ModelManager } from './model-manager.svelte';
import type { SettingsState } from './settings.svelte';

const SAVE_INTERVAL_MS = 1000;

function newId(): string {
  return crypto.randomUUID();
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
}

export class ChatSession {
  #client: EngineClient;
  #models: ModelManager;
  #settings: SettingsState;
  #conversations = $state<Conversation[]>([]);
  #currentId = $state<string | undefined>();
  #streaming = $state(false);
  #abort: AbortController | undefined;
  #lastSaveAt = 0;

  constructor(client: EngineClient, models: ModelManager, settings: SettingsState) {
    this.#client = client;
    this.#models = models;
    this.#settings = settings;
  }

  get conversations(): Conversation[] {
    return this.#conversations;
  }
  get current(): Conversation | undefined {
    return this.#conversations.find((conversation) => conversation.id === this.#currentId);
  }
  get streaming(): boolean {
    return this.#streaming;
  }
  get canSend(): boolean {
    return !this.#streaming && this.#models.status === 'ready';
  }

  async restore(): Promise<void> {
    try {
      this.#conversations = await loadConversations();
    } catch (error) {
      console.error('[chat-session] could not read conversations', error);
    }
    this.#currentId = this.#conversations[0]?.id;
  }

  newConversation(): void {
    if (this.#streaming) return;
    this.#currentId = undefined;
  }

  open(id: string): void {
    if (!this.#streaming) this.#currentId = id;
  }

  async remove(id: string): Promise<void> {
    if (this.#streaming && id === this.#currentId) return;
    this.#conversations = this.#conversations.filter((conversation) => conversation.id !== id);
    if (this.#currentId === id) this.#currentId = this.#conversations[0]?.id;
    await deleteConversation(id);
  }

  stop(): void {
    this.#abort?.abort();
  }

  async send(text: string): Promise<void> {
    const content = text.trim();
    if (!content || !this.canSend) return;
    const conversation = this.#ensureConversation(content);
    const now = Date.now();
    conversation.messages.push({ id: newId(), role: 'user', content, createdAt: now });
    conversation.messages.push({
      id: newId(),
      role: 'assistant',
      content: '',
      createdAt: now,
      status: 'streaming',
      modelId: this.#models.loaded?.modelId ?? '',
    });
    // Read the message back through the conversation so writes go through the reactive proxy.
    const answer = conversation.messages[conversation.messages.length - 1];
    if (!answer) return;
    const turns = buildTurns(this.#settings.value.systemPrompt, conversation.messages.slice(0, -1));
    await this.#stream(conversation, answer, turns);
  }

  async #stream(conversation: Conversation, answer: ChatMessage, turns: ReturnType<typeof buildTurns>): Promise<void> {
    this.#streaming = true;
    this.#abort = new AbortController();
    let pending = '';
    let frame: number | undefined;
    const flush = (): void => {
      frame = undefined;
      if (pending) {
        answer.content += pending;
        pending = '';
      }
      this.#saveSoon(conversation);
    };
    let result: GenerationResult | undefined;
    try {
      await saveConversation($state.snapshot(conversation));
      const options = $state.snapshot(this.#settings.value.generation);
      for await (const event of this.#client.generate({ messages: turns, options }, this.#abort.signal)) {
        if (event.type === 'done') {
          result = event.result;
          break;
        }
        pending += event.text;
        frame ??= requestAnimationFrame(flush);
      }
      if (frame !== undefined) cancelAnimationFrame(frame);
      flush();
      if (result) {
        // The worker's full decode is the reference text: it equals the streamed pieces once the stream has ended.
        answer.content = result.text;
        answer.metrics = result.metrics;
        answer.device = result.device;
        answer.finishReason = result.finishReason;
        answer.status = result.finishReason === 'aborted' ? 'stopped' : 'done';
      }
    } catch (error) {
      if (frame !== undefined) cancelAnimationFrame(frame);
      flush();
      const failure = toEngineFailure(error);
      answer.status = failure.name === 'Aborted' ? 'stopped' : 'error';
      answer.error = { name: failure.name, message: failure.message };
      this.#models.handleGenerationFailure(answer.error);
    } finally {
      this.#streaming = false;
      this.#abort = undefined;
      conversation.updatedAt = Date.now();
      await this.#save(conversation);
    }
  }

  #ensureConversation(firstMessage: string): Conversation {
    const existing = this.current;
    if (existing) return existing;
    const now = Date.now();
    const created: Conversation = { id: newId(), title: titleFrom(firstMessage), createdAt: now, updatedAt: now, messages: [] };
    this.#conversations.unshift(created);
    this.#currentId = created.id;
    // Return the proxied copy held in state, not the plain object.
    return this.#conversations[0] ?? created;
  }

  #saveSoon(conversation: Conversation): void {
    if (performance.now() - this.#lastSaveAt < SAVE_INTERVAL_MS) return;
    void this.#save(conversation);
  }

  async #save(conversation: Conversation): Promise<void> {
    this.#lastSaveAt = performance.now();
    try {
      await saveConversation($state.snapshot(conversation));
    } catch (error) {
      console.error('[chat-session] could not save the conversation', error);
    }
  }
}
