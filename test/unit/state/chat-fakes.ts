// Fakes for the chat state in node: an engine client whose `generate` plays a script (tokens, a pause the test
// releases or the AbortSignal ends, then `done` or a named EngineFailure), a model state, a comparison, a scripted
// remote stream, a conversation storage that records what it was given and can be made to fail, and animation
// frames (FrameBatcher needs them; node has none).
import type { ChatTurn, GenerateRequest, GenerationMetrics } from '../../../common/protocol';
import { EngineFailure, type GenerationEvent } from '../../../src/lib/engine-client';
import type { ShownError } from '../../../src/lib/errors';
import { abortedError } from '../../../src/lib/remote/errors';
import type { RemoteDone, RemoteEvent, RemoteSettings } from '../../../src/lib/remote/openai';
import { DEFAULT_PRICES, type Price } from '../../../src/lib/remote/pricing';
import { defaultSettings } from '../../../src/lib/settings';
import { ChatSession, type LocalModelState, type RemoteSide } from '../../../src/lib/state/chat-session.svelte';
import type { ConversationStorage } from '../../../src/lib/state/conversation-store.svelte';
import type { LoadedConversations } from '../../../src/lib/storage';
import type { Conversation, Settings } from '../../../src/lib/types';

globalThis.requestAnimationFrame ??= (callback) => Number(setTimeout(() => callback(performance.now()), 0));
globalThis.cancelAnimationFrame ??= (handle) => clearTimeout(handle);

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A pause in a scripted stream: it ends when the test releases it or the signal aborts. */
class Hold {
  reached: Promise<void>;
  #reach: () => void = () => undefined;
  #release: () => void = () => undefined;

  constructor() {
    this.reached = new Promise((resolve) => (this.#reach = resolve));
  }

  wait(signal: AbortSignal | undefined): Promise<void> {
    this.#reach();
    return new Promise((resolve) => {
      this.#release = resolve;
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  release(): void {
    this.#release();
  }
}

export interface LocalScript {
  tokens: string[];
  /** Pause after this many tokens (see `hold`). */
  holdAfter?: number;
  /** Thrown after the tokens instead of `done`. */
  failure?: EngineFailure;
  turnsLeftOut?: number;
}

export const LOCAL_METRICS: GenerationMetrics = {
  promptTokens: 12,
  outputTokens: 3,
  timeToFirstTokenMs: 40,
  prefillTokensPerS: 300,
  decodeTokensPerS: 25,
  totalMs: 160,
};

export class FakeEngineClient {
  readonly requests: Omit<GenerateRequest, 'requestId'>[] = [];
  readonly #scripts: LocalScript[] = [];
  hold = new Hold();

  /** The next `generate` calls play these, in order; with none left, an answer "OK". */
  script(...scripts: LocalScript[]): void {
    this.#scripts.push(...scripts);
  }

  async *generate(request: Omit<GenerateRequest, 'requestId'>, signal?: AbortSignal): AsyncIterable<GenerationEvent> {
    this.requests.push(structuredClone(request));
    const script = this.#scripts.shift() ?? { tokens: ['OK'] };
    const hold = this.hold;
    let text = '';
    for (const [index, token] of script.tokens.entries()) {
      if (script.holdAfter === index) await hold.wait(signal);
      // Like the worker: an interrupt ends the stream with `done`, finish reason `aborted`, and the text so far.
      if (signal?.aborted) break;
      text += token;
      yield { type: 'token', text: token, outputTokens: index + 1 };
      await tick();
    }
    if (script.failure && !signal?.aborted) throw script.failure;
    const finishReason = signal?.aborted ? 'aborted' : 'stop';
    const result = { requestId: 'fake', text, finishReason, metrics: LOCAL_METRICS, device: 'webgpu' } as const;
    yield { type: 'done', result: script.turnsLeftOut ? { ...result, turnsLeftOut: script.turnsLeftOut } : result };
  }
}

export function engineFailure(name: 'DeviceLost' | 'OutOfMemory', message = `${name} in the fake engine`): EngineFailure {
  return new EngineFailure(name, message);
}

/** The model state as ModelManager keeps it: a generation failure puts it in `error` until the model is reloaded. */
export class FakeModels implements LocalModelState {
  status = 'ready';
  loaded: { modelId: string } | undefined = { modelId: 'tiny-qwen3' };
  takesImages = false;
  readonly failures: ShownError[] = [];

  handleGenerationFailure(failure: ShownError): void {
    this.failures.push(failure);
    this.status = 'error';
    this.loaded = undefined;
  }

  reload(): void {
    this.status = 'ready';
    this.loaded = { modelId: 'tiny-qwen3' };
  }
}

export class FakeCompare implements RemoteSide {
  active = false;
  blind = false;
  model = 'gpt-5.2';
  price: Price | undefined = DEFAULT_PRICES['gpt-5.2'];

  remoteSettings(): RemoteSettings {
    return { endpoint: 'http://localhost:1/v1', apiKey: 'sk-fake', model: 'gpt-5.2', api: 'responses', reasoningEffort: 'default' };
  }
}

export interface RemoteScript {
  deltas: string[];
  holdAfter?: number;
  /** Thrown after the deltas instead of `done` (a RemoteError, as streamRemote throws, or anything else). */
  failure?: Error;
  done?: Partial<Omit<RemoteDone, 'type'>>;
}

export const REMOTE_DONE: Omit<RemoteDone, 'type'> = {
  usage: { inputTokens: 20, outputTokens: 50, reasoningTokens: 10 },
  incomplete: false,
  timing: { timeToFirstTokenMs: 500, totalMs: 2500 },
};

/** Plays scripts the way streamRemote behaves: deltas, then one `done`; an abort throws RemoteError `Aborted`. */
export class FakeRemote {
  readonly turns: ChatTurn[][] = [];
  readonly #scripts: RemoteScript[] = [];
  hold = new Hold();

  script(...scripts: RemoteScript[]): void {
    this.#scripts.push(...scripts);
  }

  async *stream(turns: ChatTurn[], signal?: AbortSignal): AsyncGenerator<RemoteEvent> {
    this.turns.push(structuredClone(turns));
    const script = this.#scripts.shift() ?? { deltas: ['Remote OK'] };
    const hold = this.hold;
    for (const [index, text] of script.deltas.entries()) {
      if (script.holdAfter === index) await hold.wait(signal);
      if (signal?.aborted) throw abortedError();
      yield { type: 'delta', text };
      await tick();
    }
    if (script.failure) throw script.failure;
    yield { type: 'done', ...REMOTE_DONE, ...script.done };
  }

  /** The function ChatDeps.streamRemote takes. */
  client(): (settings: RemoteSettings, turns: ChatTurn[], signal?: AbortSignal) => AsyncGenerator<RemoteEvent> {
    return (_settings, turns, signal) => this.stream(turns, signal);
  }
}

/** Conversations in a Map, with every write it was handed, and failures on demand. */
export class FakeStorage implements ConversationStorage {
  readonly records = new Map<string, Conversation>();
  /** Every conversation it was asked to write, as it was then (including failed writes). */
  readonly writes: Conversation[] = [];
  /** While set, every write throws it. */
  failWith: unknown;
  leftOut = 0;
  loadFailure: unknown;

  async load(): Promise<LoadedConversations> {
    if (this.loadFailure !== undefined) throw this.loadFailure;
    const conversations = [...this.records.values()].map((conversation) => structuredClone(conversation));
    return { conversations: conversations.sort((a, b) => b.updatedAt - a.updatedAt), leftOut: this.leftOut };
  }

  async save(conversation: Conversation): Promise<void> {
    const copy = structuredClone(conversation);
    this.writes.push(copy);
    await tick();
    if (this.failWith !== undefined) throw this.failWith;
    this.records.set(copy.id, copy);
  }

  async remove(id: string): Promise<void> {
    await tick();
    if (this.failWith !== undefined) throw this.failWith;
    this.records.delete(id);
  }
}

export function quotaExceeded(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

export class FakeSettings {
  value: Settings = defaultSettings('http://localhost:1/models/');

  async update(change: Partial<Settings>): Promise<void> {
    this.value = { ...this.value, ...change };
  }
}

export interface ChatRig {
  chat: ChatSession;
  client: FakeEngineClient;
  models: FakeModels;
  compare: FakeCompare;
  remote: FakeRemote;
  settings: FakeSettings;
  /** The recording storage, used unless another was handed in. */
  storage: FakeStorage;
}

/** A ChatSession on fakes; pass `storage` to use another (the real IndexedDB one on fake-indexeddb). */
export function fakeChat(storage?: ConversationStorage): ChatRig {
  const rig = {
    client: new FakeEngineClient(),
    models: new FakeModels(),
    compare: new FakeCompare(),
    remote: new FakeRemote(),
    settings: new FakeSettings(),
    storage: new FakeStorage(),
  };
  const chat = new ChatSession({ ...rig, storage: storage ?? rig.storage, streamRemote: rig.remote.client() });
  return { ...rig, chat };
}
