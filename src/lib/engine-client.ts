// Owns the inference worker. The only module that knows comlink: it turns the worker's callbacks into async
// iterables and an AbortSignal into `interrupt`, rebuilds named errors, and replaces a worker that dies, failing
// whatever was in flight with `WorkerCrashed` instead of leaving it pending forever.
import { proxy, wrap, type Remote } from 'comlink';
import { ENGINE_ADVICE, isEngineErrorName, type EngineErrorName } from '../../common/errors';
import type {
  CachedModel,
  ExportedFile,
  GenerateRequest,
  GenerationResult,
  GpuInfo,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  SideloadProgress,
  SideloadRequest,
  SideloadResult,
  TokenEvent,
  WorkerApi,
} from '../../common/protocol';

/** An engine failure on the page side: `name` is always one of the protocol's error names. */
export class EngineFailure extends Error {
  override readonly name: EngineErrorName;

  constructor(name: EngineErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

export function toEngineFailure(error: unknown): EngineFailure {
  if (error instanceof EngineFailure) return error;
  if (error instanceof Error && isEngineErrorName(error.name)) return new EngineFailure(error.name, error.message);
  const text = error instanceof Error ? error.message : String(error);
  return new EngineFailure('Unknown', `${ENGINE_ADVICE.Unknown} (${text})`);
}

export type GenerationEvent = ({ type: 'token' } & TokenEvent) | { type: 'done'; result: GenerationResult };

export interface EngineClient {
  probeGpu(): Promise<GpuInfo>;
  load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel>;
  /** Streams one answer; aborting the signal interrupts it, and the stream still ends with a `done` event. */
  generate(request: Omit<GenerateRequest, 'requestId'>, signal?: AbortSignal): AsyncIterable<GenerationEvent>;
  unload(): Promise<void>;
  listCachedModels(): Promise<CachedModel[]>;
  deleteCachedModel(repo: string): Promise<void>;
  /** Checks a model folder from disk and stores it; all or nothing. */
  sideloadModel(request: SideloadRequest, onProgress: (progress: SideloadProgress) => void): Promise<SideloadResult>;
  /** A stored transformers.js build's files with their sha256, for export. */
  exportModel(repo: string): Promise<ExportedFile[]>;
  /** Replaces the worker (and with it the GPU device); what was in flight fails with `WorkerCrashed`. */
  restart(reason: string): void;
  /** Called after the worker has been replaced, with the failure that what was in flight got. */
  onRestart(listener: (failure: EngineFailure) => void): () => void;
  dispose(): void;
}

type WorkerFactory = () => Worker;

const defaultWorker: WorkerFactory = () =>
  new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });

let nextRequest = 0;
function newRequestId(): string {
  nextRequest += 1;
  return `req-${Date.now().toString(36)}-${nextRequest}`;
}

export function createEngineClient(createWorker: WorkerFactory = defaultWorker): EngineClient {
  let worker: Worker;
  let api: Remote<WorkerApi>;
  let crashed: Promise<never>;
  let failCurrent: (error: EngineFailure) => void = () => undefined;
  const restartListeners = new Set<(failure: EngineFailure) => void>();

  function start(): void {
    worker = createWorker();
    api = wrap<WorkerApi>(worker);
    crashed = new Promise<never>((_, reject) => {
      failCurrent = reject;
    });
    crashed.catch(() => undefined); // observed through `call`, not here
    worker.addEventListener('error', (event) => restart(`worker error: ${event.message}`));
    worker.addEventListener('messageerror', () => restart('worker sent a message that could not be read'));
  }

  function restart(reason: string, name: 'WorkerCrashed' | 'WorkerHung' = 'WorkerCrashed'): void {
    console.error(`[engine-client] restarting worker: ${reason}`);
    const failure = new EngineFailure(name, `${ENGINE_ADVICE[name]} (${reason})`);
    failCurrent(failure);
    worker.terminate();
    start();
    for (const listener of restartListeners) listener(failure);
  }

  /**
   * Runs one worker call that reports through `listener`. The worker answers only after the page has run every
   * callback (workers/callbacks.ts); the gate still drops a call that arrives after the answer, so a late message
   * can never overwrite a finished state, and a crashed worker's leftovers reach nobody.
   */
  async function callWith<A, T>(
    listener: (arg: A) => void,
    work: (remote: Remote<WorkerApi>, callback: (arg: A) => void) => Promise<T>,
  ): Promise<T> {
    let open = true;
    const gated = proxy((arg: A) => {
      if (open) listener(arg);
    });
    try {
      return await call((remote) => work(remote, gated));
    } finally {
      open = false;
    }
  }

  /** Runs one worker call; a crash meanwhile rejects it instead of leaving it pending. */
  async function call<T>(work: (remote: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    try {
      return await Promise.race([work(api), crashed]);
    } catch (error) {
      throw toEngineFailure(error);
    }
  }

  async function* generate(
    request: Omit<GenerateRequest, 'requestId'>,
    signal?: AbortSignal,
  ): AsyncGenerator<GenerationEvent> {
    const requestId = newRequestId();
    const queue: GenerationEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: EngineFailure | undefined;
    const push = (event: GenerationEvent): void => {
      queue.push(event);
      wake?.();
    };
    const onAbort = (): void => void api.interrupt(requestId).catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });

    callWith((event: TokenEvent) => push({ type: 'token', ...event }), (remote, onToken) => remote.generate({ ...request, requestId }, onToken))
      .then((result) => push({ type: 'done', result }))
      .catch((error: unknown) => {
        failure = toEngineFailure(error);
      })
      .finally(() => {
        finished = true;
        wake?.();
      });
    if (signal?.aborted) onAbort();

    try {
      while (true) {
        const event = queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (failure) throw failure;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  start();

  return {
    probeGpu: () => call((remote) => remote.probeGpu()),
    load: (request, onProgress) => callWith(onProgress, (remote, callback) => remote.load(request, callback)),
    generate,
    restart,
    unload: () => call((remote) => remote.unload()),
    listCachedModels: () => call((remote) => remote.listCachedModels()),
    deleteCachedModel: (repo) => call((remote) => remote.deleteCachedModel(repo)),
    sideloadModel: (request, onProgress) =>
      callWith(onProgress, (remote, callback) => remote.sideloadModel(request, callback)),
    exportModel: (repo) => call((remote) => remote.exportModel(repo)),
    onRestart(listener) {
      restartListeners.add(listener);
      return () => restartListeners.delete(listener);
    },
    dispose() {
      worker.terminate();
    },
  };
}
