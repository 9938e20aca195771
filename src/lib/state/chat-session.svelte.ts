// The conversations and the answers being streamed: the local model's, and, when comparing, the remote model's to
// the same prompt. Each side streams, stops and fails on its own. Text is applied at most once per animation
// frame (FrameBatcher), and the conversation is written to IndexedDB while answers stream (at most once a second)
// and once more when both end, so a reload loses at most the last moment.
import { toEngineFailure, type EngineClient } from '../engine-client';
import { FrameBatcher } from '../frame-batcher';
import { buildTurns, countImages, type Side } from '../history';
import { trimToContext } from '../../../common/context-budget';
import type { ChatTurn } from '../../../common/protocol';
import { RemoteError } from '../remote/errors';
import { streamRemote } from '../remote/openai';
import { costUsd } from '../remote/pricing';
import { deleteConversation, loadConversations, saveConversation } from '../storage';
import { exportJson, exportMarkdown, parseImport, type ImportReport } from '../transfer';
import type { BlindChoice, ChatImage, ChatMessage, Conversation, RemoteAnswer } from '../types';
import type { CompareState } from './compare.svelte';
import type { ModelManager } from './model-manager.svelte';
import type { SettingsState } from './settings.svelte';

const SAVE_INTERVAL_MS = 1000;

/** Measures the time between `<think>` and `</think>` appearing in a streamed answer. */
class ThinkingClock {
  #startedAt: number | undefined;
  #doneMs: number | undefined;

  /** Returns the thinking time so far (or in total, once the block has closed); undefined if there is none. */
  observe(content: string): number | undefined {
    if (this.#doneMs !== undefined) return this.#doneMs;
    if (this.#startedAt === undefined) {
      if (!content.includes('<think>')) return undefined;
      this.#startedAt = performance.now();
    }
    const elapsed = performance.now() - this.#startedAt;
    if (content.includes('</think>')) this.#doneMs = elapsed;
    return elapsed;
  }
}

function newId(): string {
  return crypto.randomUUID();
}

function titleFrom(text: string, images: number): string {
  const line = text.trim().split('\n')[0] ?? '';
  if (line.length > 60) return `${line.slice(0, 57)}…`;
  return line || (images > 0 ? 'Image' : 'New chat');
}

function incompleteNotice(reason: 'cut' | 'max_output_tokens' | 'content_filter' | undefined): RemoteAnswer['error'] {
  if (reason === 'max_output_tokens') {
    return { name: 'RemoteIncomplete', message: 'The answer reached the output token limit; what arrived is kept.' };
  }
  if (reason === 'content_filter') {
    return { name: 'RemoteIncomplete', message: 'The service stopped the answer (content filter); what arrived is kept.' };
  }
  return { name: 'RemoteStreamCut', message: 'The answer stopped part way (the connection was cut). What arrived is kept.' };
}

export interface ChatDeps {
  client: EngineClient;
  models: ModelManager;
  settings: SettingsState;
  compare: CompareState;
}

export class ChatSession {
  #deps: ChatDeps;
  #conversations = $state<Conversation[]>([]);
  #currentId = $state<string | undefined>();
  #localAbort = $state<AbortController | undefined>();
  #remoteAbort = $state<AbortController | undefined>();
  #lastSaveAt = 0;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
  }

  get conversations(): Conversation[] {
    return this.#conversations;
  }
  get current(): Conversation | undefined {
    return this.#conversations.find((conversation) => conversation.id === this.#currentId);
  }
  get localStreaming(): boolean {
    return this.#localAbort !== undefined;
  }
  get remoteStreaming(): boolean {
    return this.#remoteAbort !== undefined;
  }
  get streaming(): boolean {
    return this.localStreaming || this.remoteStreaming;
  }
  get canSend(): boolean {
    return !this.streaming && this.#deps.models.status === 'ready';
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
    if (!this.streaming) this.#currentId = undefined;
  }

  open(id: string): void {
    if (!this.streaming) this.#currentId = id;
  }

  async remove(id: string): Promise<void> {
    if (this.streaming && id === this.#currentId) return;
    this.#conversations = this.#conversations.filter((conversation) => conversation.id !== id);
    if (this.#currentId === id) this.#currentId = this.#conversations[0]?.id;
    await deleteConversation(id);
  }

  stop(): void {
    this.stopLocal();
    this.stopRemote();
  }
  stopLocal(): void {
    this.#localAbort?.abort();
  }
  stopRemote(): void {
    this.#remoteAbort?.abort();
  }

  async vote(message: ChatMessage, choice: BlindChoice): Promise<void> {
    const conversation = this.current;
    if (!conversation || !message.blind || message.blind.vote) return;
    message.blind.vote = choice;
    await this.#save(conversation);
  }

  /**
   * Sends a message with its images. The composer only offers images to a model that takes them; should one reach a
   * text-only model anyway, they are kept with the message and the answer says the model did not see them.
   */
  async send(text: string, images: readonly ChatImage[] = []): Promise<void> {
    const content = text.trim();
    const attached = [...images];
    if ((!content && attached.length === 0) || !this.canSend) return;
    const conversation = this.#ensureConversation(content, attached.length);
    const message: ChatMessage = { id: newId(), role: 'user', content, createdAt: Date.now() };
    if (attached.length > 0) message.images = attached;
    conversation.messages.push(message);
    await this.#answer(conversation);
  }

  /** Answers the last user message again: the last answer is replaced. */
  async regenerate(): Promise<void> {
    const conversation = this.current;
    if (!conversation || !this.canSend) return;
    const last = conversation.messages.at(-1);
    if (last?.role !== 'assistant') return;
    conversation.messages.pop();
    await this.#answer(conversation);
  }

  /** Replaces a user message's text and re-runs the conversation from there; later messages are dropped. */
  async editAndRerun(messageId: string, text: string): Promise<void> {
    const conversation = this.current;
    const content = text.trim();
    if (!conversation || !this.canSend) return;
    const index = conversation.messages.findIndex((message) => message.id === messageId && message.role === 'user');
    const message = conversation.messages[index];
    if (!message || (!content && !message.images?.length)) return;
    message.content = content;
    conversation.messages.splice(index + 1);
    await this.#answer(conversation);
  }

  async rename(id: string, title: string): Promise<void> {
    const conversation = this.#conversations.find((candidate) => candidate.id === id);
    const clean = title.trim();
    if (!conversation || !clean) return;
    conversation.title = clean.slice(0, 120);
    await this.#save(conversation);
  }

  async setSystemPrompt(prompt: string): Promise<void> {
    const conversation = this.current;
    if (!conversation) {
      await this.#deps.settings.update({ systemPrompt: prompt });
      return;
    }
    conversation.systemPrompt = prompt;
    await this.#save(conversation);
  }

  /** The system prompt the next answer uses: the conversation's own, or the default for a new one. */
  get systemPrompt(): string {
    return this.current?.systemPrompt ?? this.#deps.settings.value.systemPrompt;
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
    for (const conversation of report.imported) await saveConversation(conversation);
    this.#conversations = [...this.#conversations, ...report.imported].sort((a, b) => b.updatedAt - a.updatedAt);
    this.#currentId ??= this.#conversations[0]?.id;
    return report;
  }

  /** Streams a new answer (and, when comparing, the remote one) to the conversation's last user message. */
  async #answer(conversation: Conversation): Promise<void> {
    const { models, settings, compare } = this.#deps;
    const history = [...conversation.messages];
    const comparing = compare.active;
    conversation.messages.push({
      id: newId(),
      role: 'assistant',
      content: '',
      createdAt: Date.now(),
      status: 'streaming',
      modelId: models.loaded?.modelId ?? '',
      ...(comparing
        ? {
            remote: { model: compare.settings.model, content: '', status: 'streaming', incomplete: false },
            ...(compare.settings.blind ? { blind: { aIs: Math.random() < 0.5 ? 'local' : 'remote' } } : {}),
          }
        : {}),
    });
    // Read the message back through the conversation so writes go through the reactive proxy.
    const answer = conversation.messages[conversation.messages.length - 1];
    if (!answer) return;
    const { generation, contextTokens } = settings.value;
    const systemPrompt = conversation.systemPrompt ?? settings.value.systemPrompt;
    // The remote model always takes images; the local one only when it was loaded with an image encoder.
    const localImages = models.takesImages;
    const leftOut = localImages ? 0 : countImages(history);
    if (leftOut > 0) answer.imagesLeftOut = leftOut;
    const budget = contextTokens - generation.maxNewTokens;
    const allTurns = (side: Side): ChatTurn[] => buildTurns(systemPrompt, history, side, { images: side === 'remote' || localImages });
    const localAll = allTurns('local');
    const localTurns = trimToContext(localAll, budget);
    await this.#save(conversation);
    await Promise.all([
      this.#streamLocal(conversation, answer, localTurns, { budget, leftOutByPage: localAll.length - localTurns.length }),
      answer.remote ? this.#streamRemote(conversation, answer.remote, trimToContext(allTurns('remote'), budget)) : undefined,
    ]);
    conversation.updatedAt = Date.now();
    await this.#save(conversation);
  }

  async #streamLocal(
    conversation: Conversation,
    answer: ChatMessage,
    turns: ChatTurn[],
    context: { budget: number; leftOutByPage: number },
  ): Promise<void> {
    const abort = new AbortController();
    this.#localAbort = abort;
    const thinking = new ThinkingClock();
    const batcher = new FrameBatcher((text) => {
      answer.content += text;
      const thinkingMs = thinking.observe(answer.content);
      if (thinkingMs !== undefined) answer.thinkingMs = thinkingMs;
      this.#saveSoon(conversation);
    });
    try {
      const options = $state.snapshot(this.#deps.settings.value.generation);
      const request = { messages: turns, options, promptBudgetTokens: context.budget };
      for await (const event of this.#deps.client.generate(request, abort.signal)) {
        if (event.type === 'token') {
          batcher.push(event.text);
          continue;
        }
        batcher.flush();
        const { result } = event;
        // The worker's full decode is the reference text: it equals the streamed pieces once the stream has ended.
        answer.content = result.text;
        answer.metrics = result.metrics;
        answer.device = result.device;
        answer.finishReason = result.finishReason;
        answer.status = result.finishReason === 'aborted' ? 'stopped' : 'done';
        const turnsLeftOut = context.leftOutByPage + (result.turnsLeftOut ?? 0);
        if (turnsLeftOut > 0) answer.turnsLeftOut = turnsLeftOut;
      }
    } catch (error) {
      batcher.flush();
      const failure = toEngineFailure(error);
      answer.status = failure.name === 'Aborted' ? 'stopped' : 'error';
      answer.error = { name: failure.name, message: failure.message };
      this.#deps.models.handleGenerationFailure(answer.error);
    } finally {
      this.#localAbort = undefined;
    }
  }

  async #streamRemote(conversation: Conversation, remote: RemoteAnswer, turns: ChatTurn[]): Promise<void> {
    const abort = new AbortController();
    this.#remoteAbort = abort;
    const { compare } = this.#deps;
    const price = compare.price;
    const batcher = new FrameBatcher((text) => {
      remote.content += text;
      this.#saveSoon(conversation);
    });
    try {
      for await (const event of streamRemote(compare.remoteSettings(), turns, abort.signal)) {
        if (event.type === 'delta') {
          batcher.push(event.text);
          continue;
        }
        batcher.flush();
        const { usage, timing } = event;
        remote.timeToFirstTokenMs = timing.timeToFirstTokenMs;
        remote.totalMs = timing.totalMs;
        if (usage) {
          remote.usage = usage;
          if (price) remote.costUsd = costUsd(usage, price);
          // Reasoning tokens are spent before the first visible token (inside the time to first token), so the
          // visible decode rate counts only the tokens that were shown, over the time after the first one.
          const decodeMs = timing.totalMs - timing.timeToFirstTokenMs;
          const shown = usage.outputTokens - usage.reasoningTokens;
          remote.tokensPerS = decodeMs > 0 ? (shown * 1000) / decodeMs : 0;
        }
        remote.incomplete = event.incomplete;
        remote.status = event.incomplete && event.incompleteReason === 'cut' ? 'error' : 'done';
        if (event.incomplete) remote.error = incompleteNotice(event.incompleteReason);
      }
    } catch (error) {
      batcher.flush();
      if (abort.signal.aborted || (error instanceof RemoteError && error.name === 'Aborted')) {
        remote.status = 'stopped';
      } else {
        remote.status = 'error';
        remote.error =
          error instanceof RemoteError
            ? { name: error.name, message: error.message }
            : { name: 'RemoteHttp', message: error instanceof Error ? error.message : String(error) };
      }
    } finally {
      this.#remoteAbort = undefined;
    }
  }

  #ensureConversation(firstMessage: string, images: number): Conversation {
    const existing = this.current;
    if (existing) return existing;
    const now = Date.now();
    const created: Conversation = {
      id: newId(),
      title: titleFrom(firstMessage, images),
      createdAt: now,
      updatedAt: now,
      systemPrompt: this.#deps.settings.value.systemPrompt,
      messages: [],
    };
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
