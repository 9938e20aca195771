// The conversations and which one is open: restore, create, open, edit, rename, delete, vote, import, export, and
// writing them to IndexedDB (through an injectable ConversationStorage, so tests can make a write fail).
// Invariants:
// - Saving never loses a conversation silently: a write that fails (a full disk or quota, or anything else) keeps
//   the conversation in memory, marks it unsaved and shows `saveError`; every later save writes every unsaved
//   conversation again, and so does a retry the store schedules itself (after 2 s, then longer, up to a minute
//   apart, until one succeeds), so space freed in Storage is used without the user sending anything. The notice
//   clears once all of them are written.
// - Writes (and deletes) run one at a time, in call order, so two writes never race on the stored index and an
//   older snapshot never lands after a newer one.
// - Restore keeps every conversation that could be read and reports the rest (`restoreError`), never only a log.
import { pageError, type ShownError } from '../errors';
import { deleteConversation, loadConversations, saveConversation, type LoadedConversations } from '../storage';
import { exportJson, exportMarkdown, parseImport, type ImportReport } from '../transfer';
import type { BlindChoice, ChatImage, ChatMessage, Conversation } from '../types';
import type { SettingsState } from './settings.svelte';

/** How often at most a streaming answer is written; the final write comes when the answer ends. */
const SAVE_INTERVAL_MS = 1000;
/** Waits before each retry of a failed save; the last one repeats until a save succeeds. */
export const SAVE_RETRY_DELAYS_MS = [2000, 5000, 15_000, 30_000, 60_000] as const;

export interface ConversationStorage {
  load(): Promise<LoadedConversations>;
  /** Gets a plain object (a `$state.snapshot`), never a proxy. */
  save(conversation: Conversation): Promise<void>;
  remove(id: string): Promise<void>;
}

export const idbConversationStorage: ConversationStorage = {
  load: loadConversations,
  save: saveConversation,
  remove: deleteConversation,
};

/** The settings the store reads: the default system prompt, which it also sets when no conversation is open. */
export type PromptSettings = Pick<SettingsState, 'value' | 'update'>;

function newId(): string {
  return crypto.randomUUID();
}

function titleFrom(text: string, images: number): string {
  const line = text.trim().split('\n')[0] ?? '';
  if (line.length > 60) return `${line.slice(0, 57)}…`;
  return line || (images > 0 ? 'Image' : 'New chat');
}

/** What the browser said, in words a user can act on: a full disk is named as such. */
function failureDetail(error: unknown): string {
  if (error instanceof Error && error.name === 'QuotaExceededError') return 'the disk is full';
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class ConversationStore {
  readonly #storage: ConversationStorage;
  readonly #settings: PromptSettings;
  #conversations = $state<Conversation[]>([]);
  #currentId = $state<string | undefined>();
  #saveError = $state<ShownError | undefined>();
  #restoreError = $state<ShownError | undefined>();
  /** Conversations whose latest change is not on disk yet. Bookkeeping only: views read `saveError`. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- nothing renders from it, so it needs no signals
  readonly #unsaved = new Set<string>();
  #writes: Promise<void> = Promise.resolve();
  #lastSaveAt = -Infinity;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failedSaves = 0;

  constructor(settings: PromptSettings, storage: ConversationStorage = idbConversationStorage) {
    this.#settings = settings;
    this.#storage = storage;
  }

  get conversations(): Conversation[] {
    return this.#conversations;
  }
  get current(): Conversation | undefined {
    return this.#conversations.find((conversation) => conversation.id === this.#currentId);
  }
  /** Set while some conversation could not be written; cleared by the next save that writes them all. */
  get saveError(): ShownError | undefined {
    return this.#saveError;
  }
  /** Set when stored conversations could not be read at start; the readable ones are shown. */
  get restoreError(): ShownError | undefined {
    return this.#restoreError;
  }

  /** The system prompt the next answer uses: the open conversation's own, or the default for a new one. */
  get systemPrompt(): string {
    return this.current?.systemPrompt ?? this.#settings.value.systemPrompt;
  }

  async restore(): Promise<void> {
    try {
      const { conversations, leftOut } = await this.#storage.load();
      this.#conversations = conversations;
      if (leftOut > 0) this.#restoreError = pageError('ConversationsUnreadable', `${leftOut} unreadable record${leftOut === 1 ? '' : 's'}`);
    } catch (error) {
      console.error('[conversation-store] could not read conversations', error);
      this.#restoreError = pageError('ConversationsUnreadable', failureDetail(error));
    }
    this.#currentId = this.#conversations[0]?.id;
  }

  dismissRestoreError(): void {
    this.#restoreError = undefined;
  }

  newConversation(): void {
    this.#currentId = undefined;
  }

  open(id: string): void {
    this.#currentId = id;
  }

  async remove(id: string): Promise<void> {
    this.#conversations = this.#conversations.filter((conversation) => conversation.id !== id);
    this.#unsaved.delete(id);
    if (this.#currentId === id) this.#currentId = this.#conversations[0]?.id;
    await this.#enqueue(async () => {
      try {
        await this.#storage.remove(id);
      } catch (error) {
        // Gone from the list, but a copy left on disk would come back after a reload: say so.
        console.error('[conversation-store] could not delete the conversation', error);
        this.#saveError = pageError('ConversationNotDeleted', error instanceof Error ? error.message : String(error));
      }
    });
  }

  async rename(id: string, title: string): Promise<void> {
    const conversation = this.#conversations.find((candidate) => candidate.id === id);
    const clean = title.trim();
    if (!conversation || !clean) return;
    conversation.title = clean.slice(0, 120);
    await this.save(conversation);
  }

  async setSystemPrompt(prompt: string): Promise<void> {
    const conversation = this.current;
    if (!conversation) {
      await this.#settings.update({ systemPrompt: prompt });
      return;
    }
    conversation.systemPrompt = prompt;
    await this.save(conversation);
  }

  async vote(message: ChatMessage, choice: BlindChoice): Promise<void> {
    const conversation = this.current;
    if (!conversation || !message.blind || message.blind.vote) return;
    message.blind.vote = choice;
    await this.save(conversation);
  }

  /** Adds a user message to the open conversation (a new one when none is open) and returns that conversation. */
  addUserMessage(content: string, images: ChatImage[]): Conversation {
    const conversation = this.current ?? this.#create(content, images.length);
    const message: ChatMessage = { id: newId(), role: 'user', content, createdAt: Date.now() };
    if (images.length > 0) message.images = images;
    conversation.messages.push(message);
    return conversation;
  }

  /** Drops the open conversation's last answer, so it can be answered again; undefined when it has none. */
  dropLastAnswer(): Conversation | undefined {
    const conversation = this.current;
    if (conversation?.messages.at(-1)?.role !== 'assistant') return undefined;
    conversation.messages.pop();
    return conversation;
  }

  /** Replaces a user message's text and drops every later message; undefined when there is nothing to re-run. */
  rewriteFrom(messageId: string, content: string): Conversation | undefined {
    const conversation = this.current;
    if (!conversation) return undefined;
    const index = conversation.messages.findIndex((message) => message.id === messageId && message.role === 'user');
    const message = conversation.messages[index];
    if (!message || (!content && !message.images?.length)) return undefined;
    message.content = content;
    conversation.messages.splice(index + 1);
    return conversation;
  }

  exportAll(): string {
    return exportJson($state.snapshot(this.#conversations));
  }

  exportCurrent(format: 'json' | 'markdown'): string | undefined {
    const conversation = this.current;
    if (!conversation) return undefined;
    const plain = $state.snapshot(conversation);
    return format === 'json' ? exportJson([plain]) : exportMarkdown(plain);
  }

  /** Validates an export file, then saves what passed; existing conversations are never overwritten. */
  async importText(text: string): Promise<ImportReport> {
    const report = parseImport(text, $state.snapshot(this.#conversations), newId);
    this.#conversations = [...this.#conversations, ...report.imported].sort((a, b) => b.updatedAt - a.updatedAt);
    this.#currentId ??= this.#conversations[0]?.id;
    for (const conversation of report.imported) this.#unsaved.add(conversation.id);
    if (report.imported.length > 0) await this.#enqueue(() => this.#writeUnsaved());
    return report;
  }

  /** Writes the conversation now, with every other one whose last write failed. Never rejects. */
  save(conversation: Conversation): Promise<void> {
    this.#lastSaveAt = performance.now();
    this.#unsaved.add(conversation.id);
    return this.#enqueue(() => this.#writeUnsaved());
  }

  /** Writes every unsaved conversation now (a retry the user asks for, or after space was freed). Never rejects. */
  retrySaving(): Promise<void> {
    this.#cancelRetry();
    return this.#enqueue(() => this.#writeUnsaved());
  }

  /** Stops the scheduled retry (the app is closing; tests). What is unsaved stays marked so. */
  stopRetrying(): void {
    this.#cancelRetry();
  }

  /** While an answer streams: writes at most once per SAVE_INTERVAL_MS; the caller saves once more at the end. */
  saveSoon(conversation: Conversation): void {
    if (performance.now() - this.#lastSaveAt < SAVE_INTERVAL_MS) return;
    void this.save(conversation);
  }

  #create(firstMessage: string, images: number): Conversation {
    const now = Date.now();
    const created: Conversation = {
      id: newId(),
      title: titleFrom(firstMessage, images),
      createdAt: now,
      updatedAt: now,
      systemPrompt: this.#settings.value.systemPrompt,
      messages: [],
    };
    this.#conversations.unshift(created);
    this.#currentId = created.id;
    // Return the proxied copy held in state, not the plain object, so later writes are seen.
    return this.#conversations[0] ?? created;
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(write);
    this.#writes = next;
    return next;
  }

  async #writeUnsaved(): Promise<void> {
    let failed = false;
    let failure: unknown;
    for (const id of [...this.#unsaved]) {
      // Taken off before the write, so a change made while it runs marks the conversation unsaved again.
      this.#unsaved.delete(id);
      const conversation = this.#conversations.find((candidate) => candidate.id === id);
      if (!conversation) continue;
      try {
        await this.#storage.save($state.snapshot(conversation));
      } catch (error) {
        console.error('[conversation-store] could not save the conversation', error);
        this.#unsaved.add(id);
        failed = true;
        failure = error;
      }
    }
    // Everything unsaved when this pass began was tried; a change made meanwhile has its own write queued.
    this.#saveError = failed ? pageError('ConversationNotSaved', failureDetail(failure)) : undefined;
    if (failed) this.#scheduleRetry();
    else {
      this.#failedSaves = 0;
      this.#cancelRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined) return;
    const delay = SAVE_RETRY_DELAYS_MS[Math.min(this.#failedSaves, SAVE_RETRY_DELAYS_MS.length - 1)] ?? 60_000;
    this.#failedSaves += 1;
    console.info(`[conversation-store] saving again in ${delay / 1000} s`);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#enqueue(() => this.#writeUnsaved());
    }, delay);
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
