// Owns the inference worker. The only module that knows comlink: it turns the worker's callbacks into async
// iterables and an AbortSignal into `interrupt`, rebuilds named errors, and replaces a worker that dies (failing
// what was in flight with `WorkerCrashed`) or hangs (every call is watched: one that shows no progress, token or
// answer for the watchdog's limit fails with `WorkerHung`), so nothing is left pending forever. A call's callback
// reaches its listener only while the call runs: after it, even a proxy that the worker never released holds nothing.
// Every tab's worker shares the one weight store, so a model stored (a load that downloaded, an import) or deleted
// here is announced to the other tabs (tabs.ts).
import { proxy, wrap, type Remote } from 'comlink';
import { ENGINE_ADVICE, isEngineErrorName, type EngineErrorName } from '../../common/errors';
import { DEFAULT_WATCHDOG_SECONDS } from './settings';
import { pageTabChannel, type TabChannel } from './tabs';
import { realTimers, watchCall, watchdogLimitMs, type WatchdogTimers } from './worker-watchdog';
import type {
  CachedModel,
  Device,
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
  /** Replaces the worker (and with it the GPU device); what was in flight fails with `name` (`WorkerCrashed` by default). */
  restart(reason: string, name?: RestartName): void;
  /** Called after the worker has been replaced, with the failure that what was in flight got. */
  onRestart(listener: (failure: EngineFailure) => void): () => void;
  dispose(): void;
}

/** The failures a restart gives what was in flight. */
export type RestartName = Extract<EngineErrorName, 'WorkerCrashed' | 'WorkerHung'>;

export interface EngineClientOptions {
  createWorker?: () => Worker;
  /** The quiet time after which a call on `device` counts as hung; read at the start of each call. */
  watchdogMs?: (device: Device) => number;
  timers?: WatchdogTimers;
  /** Where changes to the stored models are announced to the other tabs. */
  tabs?: TabChannel;
}

const defaultWorker = (): Worker =>
  new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
const defaultWatchdogMs = (device: Device): number => watchdogLimitMs(DEFAULT_WATCHDOG_SECONDS, device);

let nextRequest = 0;
function newRequestId(): string {
  nextRequest += 1;
  return `req-${Date.now().toString(36)}-${nextRequest}`;
}

export function createEngineClient({
  createWorker = defaultWorker,
  watchdogMs = defaultWatchdogMs,
  timers = realTimers,
  tabs = pageTabChannel(),
}: EngineClientOptions = {}): EngineClient {
  let worker: Worker;
  let api: Remote<WorkerApi>;
  let crashed: Promise<never>;
  let failCurrent: (error: EngineFailure) => void = () => undefined;
  /** Where the model of the current worker runs, so that a CPU model's calls get the CPU's longer limit. */
  let modelDevice: Device = 'webgpu';
  const restartListeners = new Set<(failure: EngineFailure) => void>();

  function start(): void {
    worker = createWorker();
    api = wrap<WorkerApi>(worker);
    modelDevice = 'webgpu';
    crashed = new Promise<never>((_, reject) => {
      failCurrent = reject;
    });
    crashed.catch(() => undefined); // observed through `call`, not here
    worker.addEventListener('error', (event) => restart(`worker error: ${event.message}`));
    worker.addEventListener('messageerror', () => restart('worker sent a message that could not be read'));
  }

  function restart(reason: string, name: RestartName = 'WorkerCrashed'): void {
    console.error(`[engine-client] restarting worker: ${reason}`);
    const failure = new EngineFailure(name, `${ENGINE_ADVICE[name]} (${reason})`);
    failCurrent(failure);
    worker.terminate();
    start();
    for (const listener of restartListeners) listener(failure);
  }

  /**
   * Runs one worker call under the watchdog; `work` reports each sign of life through `alive`. A crash or a hang
   * meanwhile rejects the call instead of leaving it pending, and its timer goes however it ends.
   */
  async function call<T>(work: (remote: Remote<WorkerApi>, alive: () => void) => Promise<T>): Promise<T> {
    // A restart (or dispose) rejects every call of the old worker at once, so its watches stop before any timer
    // of theirs could fire: a hang restarts the worker that hung, never its replacement.
    const onHung = (quietMs: number): void =>
      restart(`no progress, token or answer for ${Math.round(quietMs / 1000)} s`, 'WorkerHung');
    const watch = watchCall(watchdogMs(modelDevice), onHung, timers);
    try {
      return await Promise.race([work(api, () => watch.alive()), crashed]);
    } catch (error) {
      throw toEngineFailure(error);
    } finally {
      watch.stop();
    }
  }

  /**
   * Runs one worker call that reports through `listener`; each report counts as a sign of life. The worker answers
   * only after the page has run every callback (workers/callbacks.ts) and then releases the proxy; the page drops
   * its listener when the call ends, so a late message can never overwrite a finished state, and the proxy of a
   * crashed or hung worker, which nobody releases, holds nothing.
   */
  async function callWith<A, T>(
    listener: (arg: A) => void,
    work: (remote: Remote<WorkerApi>, callback: (arg: A) => void) => Promise<T>,
  ): Promise<T> {
    let deliver: ((arg: A) => void) | undefined;
    const callback = proxy((arg: A) => deliver?.(arg));
    try {
      return await call((remote, alive) => {
        deliver = (arg) => {
          alive();
          listener(arg);
        };
        return work(remote, callback);
      });
    } finally {
      deliver = undefined;
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
    // Only the worker that took the request is asked, and only while it runs: after a restart there is nothing
    // to interrupt, and the new worker never hears of an old request.
    const target = api;
    const onAbort = (): void => {
      if (!finished) void target.interrupt(requestId).catch(() => undefined);
    };
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

  async function load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    modelDevice = request.device ?? 'webgpu';
    const loaded = await callWith(onProgress, (remote, callback) => remote.load(request, callback));
    modelDevice = loaded.device;
    if (loaded.filesDownloaded > 0) tabs.announce({ kind: 'stored', repo: request.record.repo });
    return loaded;
  }

  start();

  return {
    probeGpu: () => call((remote) => remote.probeGpu()),
    load,
    generate,
    restart,
    unload: () => call((remote) => remote.unload()),
    listCachedModels: () => call((remote) => remote.listCachedModels()),
    async deleteCachedModel(repo) {
      await call((remote) => remote.deleteCachedModel(repo));
      tabs.announce({ kind: 'deleted', repo });
    },
    async sideloadModel(request, onProgress) {
      const result = await callWith(onProgress, (remote, callback) => remote.sideloadModel(request, callback));
      tabs.announce({ kind: 'stored', repo: result.repo });
      return result;
    },
    exportModel: (repo) => call((remote) => remote.exportModel(repo)),
    onRestart(listener) {
      restartListeners.add(listener);
      return () => restartListeners.delete(listener);
    },
    dispose() {
      // What was in flight ends now (and with it its watch) rather than pending on a terminated worker; so does
      // any later call.
      failCurrent(new EngineFailure('Aborted', `${ENGINE_ADVICE.Aborted} (the engine client was closed)`));
      worker.terminate();
    },
  };
}
