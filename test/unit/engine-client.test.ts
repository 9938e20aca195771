// createEngineClient over a fake Worker (a real MessageChannel + comlink expose): token streaming, abort → interrupt,
// named errors, crash restart, and the watchdog with short real limits (the watchdog alone: watchdog.test.ts);
// and what it tells the other tabs about the stored models.
import { expose, releaseProxy, type Remote } from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createEngineClient,
  EngineFailure,
  type EngineClient,
  type EngineClientOptions,
  type GenerationEvent,
} from '../../src/lib/engine-client';
import type { StoreChange, TabChannel } from '../../src/lib/tabs';
import { watchdogLimitMs, type WatchdogTimers } from '../../src/lib/worker-watchdog';
import type {
  CachedModel,
  FinishReason,
  GenerateRequest,
  GenerationResult,
  ExportedFile,
  GpuInfo,
  SideloadProgress,
  SideloadProgressCallback,
  SideloadRequest,
  SideloadResult,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  ProgressCallback,
  TokenCallback,
  WorkerApi,
} from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';

/** Stands in for `new Worker(...)`: comlink talks over port1; 'error'/'messageerror' are ordinary events on it. */
class FakeWorker extends EventTarget {
  terminated = false;

  constructor(readonly port: MessagePort) {
    super();
    port.start();
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    if (type !== 'message') super.addEventListener(type, listener, options);
    else if (listener) this.port.addEventListener(type, listener, options);
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    if (type !== 'message') super.removeEventListener(type, listener, options);
    else if (listener) this.port.removeEventListener(type, listener, options);
  }

  terminate(): void {
    this.terminated = true;
    this.port.close();
  }
}

/** Node 20 has no ErrorEvent; the client only reads `message`. */
class FakeErrorEvent extends Event {
  constructor(readonly message: string) {
    super('error');
  }
}

const GPU: GpuInfo = {
  webgpu: true,
  shaderF16: true,
  architecture: 'fake',
  vendor: 'test',
  isFallbackAdapter: false,
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 1 << 28,
  device: '',
  description: '',
  features: [],
};

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function resultFor(request: GenerateRequest, text: string, finishReason: FinishReason, outputTokens: number): GenerationResult {
  return {
    requestId: request.requestId,
    text,
    finishReason,
    device: 'webgpu',
    metrics: {
      promptTokens: 7,
      outputTokens,
      timeToFirstTokenMs: 10,
      prefillTokensPerS: 700,
      decodeTokensPerS: 50,
      totalMs: 100,
    },
  };
}

/** The worker side: a scripted WorkerApi that records what it was asked. */
class FakeApi implements WorkerApi {
  readonly generateRequests: GenerateRequest[] = [];
  readonly interrupts: string[] = [];
  tokens: string[] = ['Hel', 'lo', ' world'];
  /** 'stall': the tokens, then nothing more (an engine stuck mid-answer). */
  generateMode: 'complete' | 'until-interrupt' | 'throw' | 'hang' | 'stall' = 'complete';
  /** Quiet time before the first token (a long prefill). */
  firstTokenPauseMs = 0;
  /** Quiet time before each later token (a slow decode). */
  tokenPauseMs = 0;
  /** Quiet time before each of the load's 'compile' progress messages, sent between 'download' and 'ready'. */
  loadPauses: number[] = [];
  /** 'hang': after 'download' (and any 'compile' steps), nothing more. */
  loadMode: 'complete' | 'hang' = 'complete';
  /** The progress callback of the latest load, to send a message after that load ended. */
  lastProgress: Remote<ProgressCallback> | undefined;
  generateError: Error = namedError('OutOfMemory', 'The GPU ran out of memory. (detail)');
  probeMode: 'ok' | 'hang' | 'throw' = 'ok';
  probeError: Error = namedError('WebGPUUnavailable', 'This browser has no WebGPU.');
  readonly #interrupted = new Map<string, () => void>();

  async probeGpu(): Promise<GpuInfo> {
    if (this.probeMode === 'hang') return new Promise<GpuInfo>(() => undefined);
    if (this.probeMode === 'throw') throw this.probeError;
    return GPU;
  }

  async load(request: LoadRequest, onProgress: ProgressCallback): Promise<LoadedModel> {
    const progress = onProgress as unknown as Remote<ProgressCallback>;
    this.lastProgress = progress;
    await progress({ phase: 'download', loadedBytes: 5, totalBytes: 10, filesDone: 0, filesTotal: 1, file: 'a.onnx' });
    for (const ms of this.loadPauses) {
      await pause(ms);
      await progress({ phase: 'compile', loadedBytes: 10, totalBytes: 10, filesDone: 1, filesTotal: 1 });
    }
    if (this.loadMode === 'hang') return new Promise<LoadedModel>(() => undefined);
    await progress({ phase: 'ready', loadedBytes: 10, totalBytes: 10, filesDone: 1, filesTotal: 1 });
    progress[releaseProxy]();
    return {
      modelId: request.record.id,
      engine: 'transformers',
      device: request.device ?? 'webgpu',
      dtype: 'q4f16',
      adapterArchitecture: 'fake',
      inWorker: true,
      takesImages: false,
      filesFromCache: 0,
      filesDownloaded: 1,
      loadMs: 1,
    };
  }

  async generate(request: GenerateRequest, onToken: TokenCallback): Promise<GenerationResult> {
    this.generateRequests.push(request);
    const token = onToken as unknown as Remote<TokenCallback>;
    try {
      if (this.generateMode === 'hang') return await new Promise<GenerationResult>(() => undefined);
      let text = '';
      let count = 0;
      const stopped = new Promise<void>((resolve) => this.#interrupted.set(request.requestId, resolve));
      await pause(this.firstTokenPauseMs);
      for (const piece of this.tokens) {
        if (count > 0) await pause(this.tokenPauseMs);
        count += 1;
        text += piece;
        await token({ text: piece, outputTokens: count });
        if (this.generateMode === 'until-interrupt') break;
      }
      if (this.generateMode === 'throw') throw this.generateError;
      if (this.generateMode === 'stall') return await new Promise<GenerationResult>(() => undefined);
      if (this.generateMode === 'until-interrupt') {
        await stopped;
        return resultFor(request, text, 'aborted', count);
      }
      return resultFor(request, text, 'stop', count);
    } finally {
      this.#interrupted.delete(request.requestId);
      if (this.generateMode !== 'hang' && this.generateMode !== 'stall') token[releaseProxy]();
    }
  }

  async interrupt(requestId: string): Promise<void> {
    this.interrupts.push(requestId);
    this.#interrupted.get(requestId)?.();
  }

  async unload(): Promise<void> {}

  async listCachedModels(): Promise<CachedModel[]> {
    return [{ repo: 'onnx-community/Qwen3-0.6B-ONNX', engine: 'transformers', files: 4, bytes: 1234, exportable: true }];
  }

  async deleteCachedModel(repo: string): Promise<void> {
    if (repo === 'missing') throw namedError('Busy', 'still busy');
  }

  /** 'late-progress': one more progress message is sent after the answer, as a reordered port would deliver it. */
  sideloadMode: 'ok' | 'late-progress' = 'ok';

  async sideloadModel(request: SideloadRequest, onProgress: SideloadProgressCallback): Promise<SideloadResult> {
    if (this.sideloadMode === 'late-progress') {
      setTimeout(() => onProgress({ phase: 'write', doneBytes: 10, totalBytes: 10, file: 'tokenizer.json' }), 5);
    }
    return { repo: request.record.repo, files: request.files.length, bytes: 0, hashed: 0 };
  }

  async exportModel(): Promise<ExportedFile[]> {
    return [];
  }
}

interface Rig {
  client: EngineClient;
  workers: FakeWorker[];
  apis: FakeApi[];
  factory: ReturnType<typeof vi.fn<() => Worker>>;
}

const openPorts: MessagePort[] = [];
const clients: EngineClient[] = [];

/** A client whose factory builds a fresh channel + FakeApi for every (re)start; `configure` scripts each new API. */
function rig(
  configure: (api: FakeApi, index: number) => void = () => undefined,
  options: Omit<EngineClientOptions, 'createWorker'> = {},
): Rig {
  const workers: FakeWorker[] = [];
  const apis: FakeApi[] = [];
  const factory = vi.fn<() => Worker>(() => {
    const { port1, port2 } = new MessageChannel();
    openPorts.push(port1, port2);
    const api = new FakeApi();
    configure(api, apis.length);
    apis.push(api);
    expose(api, port2);
    const worker = new FakeWorker(port1);
    workers.push(worker);
    return worker as unknown as Worker;
  });
  const client = createEngineClient({ createWorker: factory, ...options });
  clients.push(client);
  return { client, workers, apis, factory };
}

function only<T>(items: readonly T[], index = 0): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index} (have ${items.length})`);
  return item;
}

async function collect(stream: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const TINY_RECORD: ModelRecord = {
  id: 'tiny',
  label: 'Tiny',
  family: 'Qwen3',
  parameters: '1M',
  engine: 'transformers',
  repo: 'test/tiny',
  dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
  downloadBytes: {},
  contextWindow: 128,
  takesImages: false,
  licence: 'Apache-2.0',
  importable: true,
  exportable: true,
  estimatedSizes: [],
  needsShaderF16: false,
  runsOnCpu: true,
};

/** The FakeApi's default answer has this many tokens. */
const REQUEST_TOKENS = 3;

const REQUEST = {
  messages: [{ role: 'user' as const, content: 'Say hello' }],
  options: { maxNewTokens: 16, temperature: 0, topP: 1, topK: 0, repetitionPenalty: 1, enableThinking: false },
};

afterEach(() => {
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.dispose();
  for (const port of openPorts.splice(0)) port.close();
});

describe('createEngineClient: plain calls', () => {
  it('creates one worker and forwards calls and their results', async () => {
    const { client, factory, apis } = rig();
    expect(factory).toHaveBeenCalledTimes(1);
    expect(await client.probeGpu()).toEqual(GPU);
    expect(await client.listCachedModels()).toEqual([
      { repo: 'onnx-community/Qwen3-0.6B-ONNX', engine: 'transformers', files: 4, bytes: 1234, exportable: true },
    ]);
    await expect(client.unload()).resolves.toBeUndefined();
    expect(apis).toHaveLength(1);
  });

  it('passes load progress through the callback in order', async () => {
    const { client } = rig();
    const seen: LoadProgress[] = [];
    const loaded = await client.load(
      { record: TINY_RECORD, filesBaseUrl: 'http://localhost/test/tiny/' },
      (progress) => seen.push(progress),
    );
    expect(loaded.modelId).toBe('tiny');
    expect(seen.map((progress) => progress.phase)).toEqual(['download', 'ready']);
    expect(seen[0]).toEqual({ phase: 'download', loadedBytes: 5, totalBytes: 10, filesDone: 0, filesTotal: 1, file: 'a.onnx' });
  });

  it('drops a progress message that arrives after the answer, so it cannot overwrite a finished import', async () => {
    const { client } = rig((api) => {
      api.sideloadMode = 'late-progress';
    });
    const seen: SideloadProgress[] = [];
    const result = await client.sideloadModel({ record: TINY_RECORD, files: [] }, (progress) => seen.push(progress));
    expect(result.repo).toBe('test/tiny');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toEqual([]);
  });

  it('rebuilds a named worker error as an EngineFailure with the same name and message', async () => {
    const { client } = rig((api) => {
      api.probeMode = 'throw';
    });
    const error = await rejection(client.probeGpu());
    expect(error).toBeInstanceOf(EngineFailure);
    if (!(error instanceof EngineFailure)) throw new Error('expected an EngineFailure');
    expect(error.name).toBe('WebGPUUnavailable');
    expect(error.message).toBe('This browser has no WebGPU.');

    const busy = await rejection(client.deleteCachedModel('missing'));
    expect(busy).toBeInstanceOf(EngineFailure);
    expect(busy).toMatchObject({ name: 'Busy', message: 'still busy' });
  });

  it('turns an unnamed worker error into Unknown', async () => {
    const { client } = rig((api) => {
      api.probeMode = 'throw';
      api.probeError = new TypeError('adapter.requestDevice is not a function');
    });
    const error = await rejection(client.probeGpu());
    expect(error).toBeInstanceOf(EngineFailure);
    expect(error).toMatchObject({ name: 'Unknown' });
    if (!(error instanceof Error)) throw new Error('expected an Error');
    expect(error.message).toContain('adapter.requestDevice is not a function');
  });
});

describe('createEngineClient: generate', () => {
  it('yields the token events in order, then one done event with the result', async () => {
    const { client, apis } = rig();
    const events = await collect(client.generate(REQUEST));
    const api = only(apis);
    const request = only(api.generateRequests);

    expect(events).toEqual([
      { type: 'token', text: 'Hel', outputTokens: 1 },
      { type: 'token', text: 'lo', outputTokens: 2 },
      { type: 'token', text: ' world', outputTokens: 3 },
      { type: 'done', result: resultFor(request, 'Hello world', 'stop', 3) },
    ]);
    expect(request.messages).toEqual(REQUEST.messages);
    expect(request.options).toEqual(REQUEST.options);
    expect(request.requestId).toMatch(/^req-/);
    expect(api.interrupts).toEqual([]);
  });

  it('gives each generation its own request id', async () => {
    const { client, apis } = rig();
    await collect(client.generate(REQUEST));
    await collect(client.generate(REQUEST));
    const [first, second] = only(apis).generateRequests;
    expect(first?.requestId).toBeDefined();
    expect(first?.requestId).not.toBe(second?.requestId);
  });

  it('aborting the signal interrupts the same request id and the stream still ends with done', async () => {
    const { client, apis } = rig((api) => {
      api.generateMode = 'until-interrupt';
    });
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    for await (const event of client.generate(REQUEST, controller.signal)) {
      events.push(event);
      if (event.type === 'token') controller.abort();
    }
    const api = only(apis);
    const request = only(api.generateRequests);
    expect(api.interrupts).toEqual([request.requestId]);
    expect(events.map((event) => event.type)).toEqual(['token', 'done']);
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('expected a done event last');
    expect(done.result.requestId).toBe(request.requestId);
    expect(done.result.finishReason).toBe('aborted');
  });

  it('interrupts at once when the signal is already aborted', async () => {
    const { client, apis } = rig((api) => {
      api.generateMode = 'until-interrupt';
    });
    const events = await collect(client.generate(REQUEST, AbortSignal.abort()));
    const api = only(apis);
    expect(api.interrupts).toEqual([only(api.generateRequests).requestId]);
    expect(events.at(-1)?.type).toBe('done');
  });

  it('does not interrupt when the signal is aborted after the stream ended', async () => {
    const { client, apis } = rig();
    const controller = new AbortController();
    await collect(client.generate(REQUEST, controller.signal));
    controller.abort();
    await client.probeGpu(); // a round trip, so a stray interrupt would have arrived
    expect(only(apis).interrupts).toEqual([]);
  });

  it('throws an EngineFailure named OutOfMemory after the tokens produced before the error', async () => {
    const { client } = rig((api) => {
      api.generateMode = 'throw';
      api.tokens = ['a', 'b'];
    });
    const events: GenerationEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of client.generate(REQUEST)) events.push(event);
      })(),
    );
    expect(error).toBeInstanceOf(EngineFailure);
    if (!(error instanceof EngineFailure)) throw new Error('expected an EngineFailure');
    expect(error.name).toBe('OutOfMemory');
    expect(error.message).toBe('The GPU ran out of memory. (detail)');
    expect(events).toEqual([
      { type: 'token', text: 'a', outputTokens: 1 },
      { type: 'token', text: 'b', outputTokens: 2 },
    ]);
  });
});

describe('createEngineClient: worker crash', () => {
  it('rejects an in-flight call with WorkerCrashed, starts a new worker and tells onRestart listeners', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, factory, workers, apis } = rig((api, index) => {
      api.probeMode = index === 0 ? 'hang' : 'ok';
    });
    const reasons: string[] = [];
    client.onRestart((failure) => reasons.push(`${failure.name}: ${failure.message}`));

    const pending = client.probeGpu();
    await Promise.resolve();
    only(workers).dispatchEvent(new FakeErrorEvent('boom in worker'));

    const error = await rejection(pending);
    expect(error).toBeInstanceOf(EngineFailure);
    if (!(error instanceof EngineFailure)) throw new Error('expected an EngineFailure');
    expect(error.name).toBe('WorkerCrashed');
    expect(error.message).toContain('boom in worker');

    expect(factory).toHaveBeenCalledTimes(2);
    expect(only(workers, 0).terminated).toBe(true);
    expect(only(workers, 1).terminated).toBe(false);
    expect(reasons).toHaveLength(1);
    expect(only(reasons)).toContain('boom in worker');
    expect(only(reasons)).toMatch(/^WorkerCrashed: /);

    // The replacement worker answers.
    expect(await client.probeGpu()).toEqual(GPU);
    expect(apis).toHaveLength(2);
  });

  it('fails an in-flight generation with WorkerCrashed', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, workers, apis } = rig((api, index) => {
      if (index === 0) api.generateMode = 'hang';
    });
    const stream = client.generate(REQUEST)[Symbol.asyncIterator]();
    const next = stream.next();
    // Let the generate call reach the fake worker before it "crashes".
    await vi.waitFor(() => expect(only(apis).generateRequests).toHaveLength(1));
    only(workers).dispatchEvent(new FakeErrorEvent('worker died'));

    const error = await rejection(next);
    expect(error).toBeInstanceOf(EngineFailure);
    expect(error).toMatchObject({ name: 'WorkerCrashed' });

    const events = await collect(client.generate(REQUEST));
    expect(events.at(-1)?.type).toBe('done');
  });

  it('restarts on messageerror too, and an unsubscribed listener is not called', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, factory, workers } = rig();
    const kept: string[] = [];
    const dropped: string[] = [];
    client.onRestart((failure) => kept.push(failure.message));
    const unsubscribe = client.onRestart((failure) => dropped.push(failure.message));
    unsubscribe();

    only(workers).dispatchEvent(new Event('messageerror'));
    expect(factory).toHaveBeenCalledTimes(2);
    expect(kept).toHaveLength(1);
    expect(only(kept)).toContain('worker sent a message that could not be read');
    expect(dropped).toEqual([]);

    // A second crash on the new worker restarts again; the old worker's events no longer matter.
    only(workers, 1).dispatchEvent(new FakeErrorEvent('again'));
    expect(factory).toHaveBeenCalledTimes(3);
    expect(kept).toHaveLength(2);
    expect(await client.probeGpu()).toEqual(GPU);
  });

  it('dispose terminates the current worker', () => {
    const { client, workers } = rig();
    client.dispose();
    expect(only(workers).terminated).toBe(true);
  });
});

/** Real timers that keep count of the ones still pending. */
function countingTimers(): { timers: WatchdogTimers; live: Set<ReturnType<typeof setTimeout>> } {
  const live = new Set<ReturnType<typeof setTimeout>>();
  const timers: WatchdogTimers = {
    now: () => performance.now(),
    setTimeout(callback, ms) {
      const handle = setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      clearTimeout(handle);
    },
  };
  return { timers, live };
}

const LOAD: LoadRequest = { record: TINY_RECORD, filesBaseUrl: 'http://localhost/test/tiny/' };

describe('createEngineClient: watchdog', () => {
  it('fails a generation that stalls after two tokens with WorkerHung, after yielding them, and replaces the worker', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, factory, workers } = rig(
      (api, index) => {
        api.tokens = ['a', 'b'];
        if (index === 0) api.generateMode = 'stall';
      },
      { watchdogMs: () => 50 },
    );
    const restarts: EngineFailure[] = [];
    client.onRestart((failure) => restarts.push(failure));

    const events: GenerationEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of client.generate(REQUEST)) events.push(event);
      })(),
    );
    expect(events).toEqual([
      { type: 'token', text: 'a', outputTokens: 1 },
      { type: 'token', text: 'b', outputTokens: 2 },
    ]);
    expect(error).toBeInstanceOf(EngineFailure);
    expect(error).toMatchObject({ name: 'WorkerHung' });
    expect(factory).toHaveBeenCalledTimes(2);
    expect(only(workers, 0).terminated).toBe(true);
    expect(restarts.map((failure) => failure.name)).toEqual(['WorkerHung']);
    expect(only(restarts).message).toContain('The model stopped responding');

    // The new worker answers the next call.
    const next = await collect(client.generate(REQUEST));
    expect(next.at(-1)?.type).toBe('done');
    expect(factory).toHaveBeenCalledTimes(2);
  });

  it('fails a load that goes quiet, and the hung worker\'s late progress reaches nobody', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, factory, apis } = rig(
      (api, index) => {
        if (index === 0) api.loadMode = 'hang';
      },
      { watchdogMs: () => 50 },
    );
    const seen: LoadProgress[] = [];
    const error = await rejection(client.load(LOAD, (progress) => seen.push(progress)));
    expect(error).toMatchObject({ name: 'WorkerHung' });
    expect(factory).toHaveBeenCalledTimes(2);
    expect(seen.map((progress) => progress.phase)).toEqual(['download']);

    // The old worker's callback port is still open here (nobody released it): its message runs, and is dropped.
    const late = only(apis, 0).lastProgress;
    if (!late) throw new Error('expected the hung load to keep its callback');
    await late({ phase: 'ready', loadedBytes: 10, totalBytes: 10, filesDone: 1, filesTotal: 1 });
    expect(seen.map((progress) => progress.phase)).toEqual(['download']);

    expect((await client.load(LOAD, () => undefined)).modelId).toBe('tiny');
  });

  it('does not kill a slow load that keeps reporting progress', async () => {
    const { client, factory } = rig(
      (api) => {
        api.loadPauses = Array.from({ length: 10 }, () => 30); // 300 ms in all, never quiet for 100 ms
      },
      { watchdogMs: () => 100 },
    );
    const restarts = vi.fn();
    client.onRestart(restarts);
    const seen: LoadProgress[] = [];
    const loaded = await client.load(LOAD, (progress) => seen.push(progress));
    expect(loaded.modelId).toBe('tiny');
    expect(seen).toHaveLength(12);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(restarts).not.toHaveBeenCalled();
  });

  it('does not kill a slow answer whose tokens keep coming', async () => {
    const { client, factory } = rig(
      (api) => {
        api.tokens = Array.from({ length: 10 }, (_, index) => `t${index}`);
        api.tokenPauseMs = 30; // about 300 ms in all, never quiet for 100 ms
      },
      { watchdogMs: () => 100 },
    );
    const events = await collect(client.generate(REQUEST));
    expect(events.filter((event) => event.type === 'token')).toHaveLength(10);
    expect(events.at(-1)?.type).toBe('done');
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('leaves no timer behind once each kind of call has answered, and restarts nothing later', async () => {
    const { timers, live } = countingTimers();
    const { client, factory } = rig(() => undefined, { watchdogMs: () => 50, timers });
    const restarts = vi.fn();
    client.onRestart(restarts);

    await client.probeGpu();
    expect(live.size).toBe(0);
    const loading = client.load(LOAD, () => undefined);
    expect(live.size).toBe(1); // one timer for the call in flight
    await loading;
    expect(live.size).toBe(0);
    await collect(client.generate(REQUEST));
    await client.listCachedModels();
    await client.deleteCachedModel('test/tiny');
    await client.sideloadModel({ record: TINY_RECORD, files: [] }, () => undefined);
    await client.exportModel('test/tiny');
    await client.unload();
    expect(live.size).toBe(0);

    await pause(120);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(restarts).not.toHaveBeenCalled();
  });

  it('gives a CPU (wasm) model the longer limit, for its load and for its answers', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // 50 ms on WebGPU, 250 ms on the CPU; each worker goes quiet for 150 ms in its load and before its first token.
    const { client, factory } = rig(
      (api) => {
        api.loadPauses = [150];
        api.firstTokenPauseMs = 150;
      },
      { watchdogMs: (device) => watchdogLimitMs(0.05, device) },
    );
    const loaded = await client.load({ ...LOAD, device: 'wasm' }, () => undefined);
    expect(loaded.device).toBe('wasm');
    const events = await collect(client.generate(REQUEST));
    expect(events.at(-1)?.type).toBe('done');
    expect(factory).toHaveBeenCalledTimes(1);

    // The same quiet time on WebGPU is a hang.
    const error = await rejection(client.load({ ...LOAD, device: 'webgpu' }, () => undefined));
    expect(error).toMatchObject({ name: 'WorkerHung' });
    expect(factory).toHaveBeenCalledTimes(2);
  });

  it('an abort after the restart asks no worker and does not throw', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, apis } = rig(
      (api, index) => {
        if (index === 0) api.generateMode = 'stall';
      },
      { watchdogMs: () => 50 },
    );
    const controller = new AbortController();
    const stream = client.generate(REQUEST, controller.signal)[Symbol.asyncIterator]();
    expect((await stream.next()).value).toMatchObject({ type: 'token' });
    await vi.waitFor(() => expect(apis).toHaveLength(2), { timeout: 1000, interval: 10 });
    expect(() => controller.abort()).not.toThrow();
    await client.probeGpu(); // a round trip on the new worker, so a stray interrupt would have arrived
    expect(only(apis, 1).interrupts).toEqual([]);
    expect(only(apis, 0).interrupts).toEqual([]);
    // The stream still hands over what was streamed, then the failure.
    const rest: unknown[] = [];
    const error = await rejection(
      (async () => {
        for (let step = await stream.next(); !step.done; step = await stream.next()) rest.push(step.value);
      })(),
    );
    expect(rest).toHaveLength(REQUEST_TOKENS - 1);
    expect(error).toMatchObject({ name: 'WorkerHung' });
  });

  it('dispose ends a call in flight, and its watchdog restarts nothing afterwards', async () => {
    const { client, factory } = rig(
      (api) => {
        api.probeMode = 'hang';
      },
      { watchdogMs: () => 30 },
    );
    const pending = client.probeGpu();
    client.dispose();
    expect(await rejection(pending)).toMatchObject({ name: 'Aborted' });
    await pause(80);
    expect(factory).toHaveBeenCalledTimes(1);
  });
});

describe('createEngineClient: the other tabs', () => {
  function recordingTabs(): TabChannel & { said: StoreChange[] } {
    const said: StoreChange[] = [];
    return { said, announce: (change) => said.push(change), listen: () => () => undefined };
  }

  it('announces a load that downloaded, an import and a delete, and nothing for a failed delete', async () => {
    const tabs = recordingTabs();
    const { client } = rig(() => undefined, { tabs });
    await client.load({ record: TINY_RECORD, filesBaseUrl: 'http://localhost/test/tiny/' }, () => undefined);
    await client.sideloadModel({ record: TINY_RECORD, files: [] }, () => undefined);
    await client.deleteCachedModel('test/tiny');
    await expect(client.deleteCachedModel('missing')).rejects.toThrow('still busy');
    expect(tabs.said).toEqual([
      { kind: 'stored', repo: 'test/tiny' },
      { kind: 'stored', repo: 'test/tiny' },
      { kind: 'deleted', repo: 'test/tiny' },
    ]);
  });

  it('announces nothing for a load read from the store alone', async () => {
    const tabs = recordingTabs();
    const { client, apis } = rig(() => undefined, { tabs });
    const api = only(apis);
    const original = api.load.bind(api);
    api.load = async (request, onProgress) => ({ ...(await original(request, onProgress)), filesDownloaded: 0, filesFromCache: 1 });
    await client.load({ record: TINY_RECORD, filesBaseUrl: 'http://localhost/test/tiny/' }, () => undefined);
    expect(tabs.said).toEqual([]);
  });
});
