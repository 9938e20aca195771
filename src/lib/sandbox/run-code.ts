// The page's client of the code sandbox (workers/sandbox/): one fresh module worker per run, one request, one answer,
// then the worker is terminated, so runs cannot see each other. Two clocks guard a run: a start-up limit until the
// worker says `started` (its script and QuickJS's wasm loaded), then the run's time limit plus a margin, after which
// the worker is terminated whatever QuickJS is doing and the run ends `timeout`. A worker that cannot start (script
// or wasm refused or missing) ends `error` with what to do. Never rejects.
import type { SandboxRequest, SandboxResponse, SandboxScriptResult, SandboxTestsResult } from '../../../common/sandbox-protocol';
import type { RunCode, SandboxResult } from '../scorecard/types';

/** QuickJS's malloc limit for a graded run; a tool run may ask for another. */
export const DEFAULT_MEMORY_BYTES = 32 * 1024 * 1024;
/** Loading the worker and compiling QuickJS (about 0.5 MB of wasm) on a slow, busy machine. */
export const START_LIMIT_MS = 20_000;
/** How long after its own deadline QuickJS may take to stop and answer before the worker is terminated. */
export const HARD_LIMIT_MARGIN_MS = 1_000;

export interface ScriptOptions {
  timeoutMs: number;
  memoryBytes?: number;
}

/** Starts a timer and returns what cancels it. */
export type SandboxTimer = (callback: () => void, ms: number) => () => void;

export interface SandboxClientOptions {
  createWorker?: () => Worker;
  timer?: SandboxTimer;
}

const defaultWorker = (): Worker =>
  new Worker(new URL('../../../workers/sandbox/code-sandbox.worker.ts', import.meta.url), { type: 'module', name: 'code-sandbox' });

const realTimer: SandboxTimer = (callback, ms) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

const CANNOT_START =
  "The code sandbox could not start: reload the page. If it keeps failing, the server must serve the app's assets/engine/ files and its Content-Security-Policy must allow 'wasm-unsafe-eval' and workers from 'self'.";

function isResponse(data: unknown): data is SandboxResponse {
  const type: unknown = typeof data === 'object' && data !== null ? Reflect.get(data, 'type') : undefined;
  return type === 'started' || type === 'done' || type === 'failed';
}

type Ended = { status: 'timeout' | 'error'; error: string; ms: number };

/** Sends one request to a fresh worker and resolves with its answer, or with a timeout or error of our own. */
function runInWorker<R>(
  request: SandboxRequest,
  options: Required<SandboxClientOptions>,
  shape: (ended: Ended) => R,
  accept: (result: SandboxTestsResult | SandboxScriptResult) => R,
): Promise<R> {
  const began = performance.now();
  const ms = (): number => Math.round(performance.now() - began);
  return new Promise<R>((resolve) => {
    let worker: Worker | undefined;
    let cancelTimer = (): void => undefined;
    let settled = false;
    const finish = (result: R): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      worker?.terminate();
      resolve(result);
    };
    const fail = (detail: string): void => finish(shape({ status: 'error', error: `${CANNOT_START} (${detail})`, ms: ms() }));
    try {
      worker = options.createWorker();
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
      return;
    }
    cancelTimer = options.timer(() => fail(`it did not start within ${START_LIMIT_MS / 1000} s`), START_LIMIT_MS);
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isResponse(message)) return fail('it sent a message the page does not understand');
      if (message.type === 'started') {
        cancelTimer();
        const limit = request.limits.timeoutMs + HARD_LIMIT_MARGIN_MS;
        cancelTimer = options.timer(
          () => finish(shape({ status: 'timeout', error: `stopped at the time limit (${request.limits.timeoutMs} ms): the sandbox was terminated`, ms: ms() })),
          limit,
        );
      } else if (message.type === 'done') {
        finish(accept(message.result));
      } else {
        fail(message.message);
      }
    });
    worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      fail(event.message || 'its script did not load');
    });
    worker.addEventListener('messageerror', () => fail('its answer could not be read'));
    worker.postMessage(request);
  });
}

function withDefaults(options: SandboxClientOptions): Required<SandboxClientOptions> {
  return { createWorker: options.createWorker ?? defaultWorker, timer: options.timer ?? realTimer };
}

/** A RunCode (and the tool's runScript) over workers made by `options.createWorker`; tests hand in fakes. */
export function createSandboxClient(options: SandboxClientOptions = {}): {
  runCode: RunCode;
  runScript(code: string, script: ScriptOptions): Promise<SandboxScriptResult>;
} {
  const resolved = withDefaults(options);
  return {
    runCode: (code, functionName, tests, timeoutMs) =>
      runInWorker<SandboxResult>(
        { type: 'run-tests', code, functionName, tests, limits: { timeoutMs, memoryBytes: DEFAULT_MEMORY_BYTES } },
        resolved,
        (ended) => ({ ...ended, tests: [], logs: [] }),
        (result) => ('tests' in result ? result : { status: 'error', tests: [], logs: result.logs, error: 'the sandbox answered a script run', ms: result.ms }),
      ),
    runScript: (code, script) =>
      runInWorker<SandboxScriptResult>(
        { type: 'run-script', code, limits: { timeoutMs: script.timeoutMs, memoryBytes: script.memoryBytes ?? DEFAULT_MEMORY_BYTES } },
        resolved,
        (ended) => ({ ...ended, logs: [] }),
        (result) => ('tests' in result ? { status: 'error', logs: result.logs, error: 'the sandbox answered a test run', ms: result.ms } : result),
      ),
  };
}

const client = createSandboxClient();

export const runCode: RunCode = client.runCode;
export const runScript = client.runScript;
