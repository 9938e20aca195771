// Runs one turn: the local model's answer to the conversation's last user message and, when comparing, the remote
// model's answer to the same prompt. Builds each side's turns (history.ts, trimmed to the context budget), streams
// them and records each side's figures and failure.
// Invariants:
// - Each side streams, stops and fails on its own: a remote failure never ends the local answer, nor the reverse.
// - Streamed text is applied at most once per animation frame (FrameBatcher); the conversation is written while
//   the answer streams (the saver throttles) and once more when both sides have ended.
// - A failed answer keeps what arrived, is marked `error` with a named ShownError, and a local failure goes to the
//   model state (handleGenerationFailure), which decides whether the model must be reloaded.
import { trimToContext } from '../../../common/context-budget';
import type { ChatTurn, LoadedModel } from '../../../common/protocol';
import { toEngineFailure, type EngineClient } from '../engine-client';
import type { ShownError } from '../errors';
import { FrameBatcher } from '../frame-batcher';
import { buildTurns, countImages, type Side } from '../history';
import { streamRemote } from '../remote/lazy-stream';
import type { RemoteSettings } from '../remote/openai';
import type { Price } from '../remote/pricing';
import { failedAnswer, finishedAnswer } from '../remote/remote-answer';
import { ThinkingClock } from '../thinking';
import type { ChatMessage, Conversation, RemoteAnswer, Settings } from '../types';

/** What the runner needs of the model state: whether a model is ready, which, and where a failure goes. */
export interface LocalModelState {
  /** Only `ready` lets a turn start. */
  readonly status: string;
  readonly loaded: Pick<LoadedModel, 'modelId'> | undefined;
  /** The loaded model has an image encoder; otherwise images are left out of what it is sent, and counted. */
  readonly takesImages: boolean;
  handleGenerationFailure(failure: ShownError): void;
}

/** What the runner needs of the comparison: whether this turn is compared, with which model, at what price. */
export interface RemoteSide {
  readonly active: boolean;
  readonly blind: boolean;
  /** The model the compared turn goes to. */
  readonly model: string;
  readonly price: Price | undefined;
  remoteSettings(): RemoteSettings;
}

/** Where the runner writes the conversation: soon (throttled) while streaming, and now at the end. */
export interface AnswerSaver {
  save(conversation: Conversation): Promise<void>;
  saveSoon(conversation: Conversation): void;
}

export type RemoteStream = typeof streamRemote;

export interface AnswerRunnerDeps {
  client: Pick<EngineClient, 'generate'>;
  models: LocalModelState;
  settings: { readonly value: Settings };
  compare: RemoteSide;
  saver: AnswerSaver;
  /** The remote client; tests hand in a scripted one. */
  streamRemote?: RemoteStream;
}

export class AnswerRunner {
  readonly #deps: AnswerRunnerDeps;
  readonly #remoteClient: RemoteStream;
  #localAbort = $state<AbortController | undefined>();
  #remoteAbort = $state<AbortController | undefined>();

  constructor(deps: AnswerRunnerDeps) {
    this.#deps = deps;
    this.#remoteClient = deps.streamRemote ?? streamRemote;
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

  stopLocal(): void {
    this.#localAbort?.abort();
  }
  stopRemote(): void {
    this.#remoteAbort?.abort();
  }

  /** Streams a new answer (and, when comparing, the remote one) to the conversation's last user message. */
  async answer(conversation: Conversation): Promise<void> {
    const { models, settings, saver } = this.#deps;
    const history = [...conversation.messages];
    conversation.messages.push(this.#newAnswer());
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
    await saver.save(conversation);
    await Promise.all([
      this.#streamLocal(conversation, answer, localTurns, { budget, leftOutByPage: localAll.length - localTurns.length }),
      answer.remote ? this.#streamRemote(conversation, answer.remote, trimToContext(allTurns('remote'), budget)) : undefined,
    ]);
    conversation.updatedAt = Date.now();
    await saver.save(conversation);
  }

  #newAnswer(): ChatMessage {
    const { models, compare } = this.#deps;
    const answer: ChatMessage = {
      id: crypto.randomUUID(),
      role: 'assistant',
      content: '',
      createdAt: Date.now(),
      status: 'streaming',
      modelId: models.loaded?.modelId ?? '',
    };
    if (!compare.active) return answer;
    answer.remote = { model: compare.model, content: '', status: 'streaming', incomplete: false };
    if (compare.blind) answer.blind = { aIs: Math.random() < 0.5 ? 'local' : 'remote' };
    return answer;
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
      this.#deps.saver.saveSoon(conversation);
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
    const { compare, saver } = this.#deps;
    const price = compare.price;
    const batcher = new FrameBatcher((text) => {
      remote.content += text;
      saver.saveSoon(conversation);
    });
    try {
      for await (const event of this.#remoteClient(compare.remoteSettings(), turns, abort.signal)) {
        if (event.type === 'delta') {
          batcher.push(event.text);
          continue;
        }
        batcher.flush();
        Object.assign(remote, finishedAnswer(event, price));
      }
    } catch (error) {
      batcher.flush();
      Object.assign(remote, failedAnswer(error, abort.signal.aborted));
    } finally {
      this.#remoteAbort = undefined;
    }
  }
}
