// The chat as the views use it: the conversations (ConversationStore) and the turn being answered (AnswerRunner),
// behind one object. It holds only the rules that need both: a turn starts only when the model is ready and
// nothing streams, and the open conversation cannot be switched or deleted while it streams.
import type { EngineClient } from '../engine-client';
import type { ShownError } from '../errors';
import type { ImportReport } from '../transfer';
import type { BlindChoice, ChatImage, ChatMessage, Conversation } from '../types';
import { AnswerRunner, type LocalModelState, type RemoteSide, type RemoteStream } from './answer-runner.svelte';
import { ConversationStore, type ConversationStorage, type PromptSettings } from './conversation-store.svelte';

export type { LocalModelState, RemoteSide } from './answer-runner.svelte';

export interface ChatDeps {
  client: Pick<EngineClient, 'generate'>;
  models: LocalModelState;
  settings: PromptSettings;
  compare: RemoteSide;
  /** Where conversations are kept; IndexedDB unless a test hands in another. */
  storage?: ConversationStorage;
  /** The remote client; tests hand in a scripted one. */
  streamRemote?: RemoteStream;
}

export class ChatSession {
  readonly #models: LocalModelState;
  readonly #store: ConversationStore;
  readonly #runner: AnswerRunner;

  constructor(deps: ChatDeps) {
    this.#models = deps.models;
    this.#store = new ConversationStore(deps.settings, deps.storage);
    this.#runner = new AnswerRunner({ ...deps, saver: this.#store });
  }

  get conversations(): Conversation[] {
    return this.#store.conversations;
  }
  get current(): Conversation | undefined {
    return this.#store.current;
  }
  get systemPrompt(): string {
    return this.#store.systemPrompt;
  }
  get saveError(): ShownError | undefined {
    return this.#store.saveError;
  }
  get restoreError(): ShownError | undefined {
    return this.#store.restoreError;
  }
  get localStreaming(): boolean {
    return this.#runner.localStreaming;
  }
  get remoteStreaming(): boolean {
    return this.#runner.remoteStreaming;
  }
  get streaming(): boolean {
    return this.#runner.streaming;
  }
  get canSend(): boolean {
    return !this.streaming && this.#models.status === 'ready';
  }

  restore(): Promise<void> {
    return this.#store.restore();
  }
  dismissRestoreError(): void {
    this.#store.dismissRestoreError();
  }

  newConversation(): void {
    if (!this.streaming) this.#store.newConversation();
  }
  open(id: string): void {
    if (!this.streaming) this.#store.open(id);
  }
  async remove(id: string): Promise<void> {
    if (this.streaming && id === this.current?.id) return;
    await this.#store.remove(id);
  }
  rename(id: string, title: string): Promise<void> {
    return this.#store.rename(id, title);
  }
  setSystemPrompt(prompt: string): Promise<void> {
    return this.#store.setSystemPrompt(prompt);
  }
  vote(message: ChatMessage, choice: BlindChoice): Promise<void> {
    return this.#store.vote(message, choice);
  }
  exportAll(): string {
    return this.#store.exportAll();
  }
  exportCurrent(format: 'json' | 'markdown'): string | undefined {
    return this.#store.exportCurrent(format);
  }
  importText(text: string): Promise<ImportReport> {
    return this.#store.importText(text);
  }

  stop(): void {
    this.#runner.stopLocal();
    this.#runner.stopRemote();
  }
  stopLocal(): void {
    this.#runner.stopLocal();
  }
  stopRemote(): void {
    this.#runner.stopRemote();
  }

  /**
   * Sends a message with its images. The composer only offers images to a model that takes them; should one reach a
   * text-only model anyway, they are kept with the message and the answer says the model did not see them.
   */
  async send(text: string, images: readonly ChatImage[] = []): Promise<void> {
    const content = text.trim();
    if ((!content && images.length === 0) || !this.canSend) return;
    await this.#runner.answer(this.#store.addUserMessage(content, [...images]));
  }

  /** Answers the last user message again: the last answer is replaced. */
  async regenerate(): Promise<void> {
    if (!this.canSend) return;
    const conversation = this.#store.dropLastAnswer();
    if (conversation) await this.#runner.answer(conversation);
  }

  /** Replaces a user message's text and re-runs the conversation from there; later messages are dropped. */
  async editAndRerun(messageId: string, text: string): Promise<void> {
    if (!this.canSend) return;
    const conversation = this.#store.rewriteFrom(messageId, text.trim());
    if (conversation) await this.#runner.answer(conversation);
  }
}
