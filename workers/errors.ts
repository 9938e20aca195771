// Named, actionable errors for everything the worker can fail at. Comlink carries an Error's `name` and `message`
// across the boundary, so the name must be one of the closed set in common/errors.ts and the message must tell the
// user what to do next. Whatever an engine throws is named by one table (RULES), for every engine alike.
import { ENGINE_ADVICE, type EngineErrorName } from '../common/errors';

export class EngineError extends Error {
  override readonly name: EngineErrorName;

  constructor(name: EngineErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

export function engineError(name: EngineErrorName, detail?: string, cause?: unknown): EngineError {
  const message = detail ? `${ENGINE_ADVICE[name]} (${detail})` : ENGINE_ADVICE[name];
  return new EngineError(name, message, { cause });
}

interface Rule {
  name: EngineErrorName;
  /** Error class names that engines throw for this failure (web-llm's own classes, DOMException names). */
  classes?: readonly string[];
  /** Lower-case fragments of the message that mean this failure. */
  fragments: readonly string[];
  /** The engine's advice about memory (a smaller build) goes before the detail of these. */
  memory?: boolean;
  /** Applies only to a load during which no byte came over the network (NamingOptions.unreachableHost is set). */
  nothingArrived?: boolean;
}

// First match wins: a quota error often mentions storage or the network, and a lost device often follows memory
// trouble, so those are asked first.
const RULES: readonly Rule[] = [
  // An abort that escaped the engine that asked for it (wllama's WllamaAbortError, a fetch's DOMException).
  { name: 'Aborted', classes: ['AbortError'], fragments: [] },
  { name: 'QuotaExceeded', classes: ['QuotaExceededError'], fragments: ['quotaexceeded', 'quota'] },
  {
    name: 'ShaderF16Missing',
    classes: ['ShaderF16SupportError'],
    fragments: ['shader-f16', 'requires f16', 'f16 but', 'support fp16'],
  },
  { name: 'DeviceLost', classes: ['DeviceLostError'], fragments: ['device lost', 'device was lost', 'devicelost'], memory: true },
  {
    name: 'OutOfMemory',
    fragments: [
      'out of memory',
      'outofmemory',
      'allocation failed',
      // llama.cpp (wllama): the wasm heap could not grow, or a backend buffer could not be allocated.
      'aborted(oom)',
      'cannot enlarge memory',
      'failed to allocate',
      'unable to allocate',
    ],
    memory: true,
  },
  // llama.cpp aborted inside wasm (an assertion, a trap): wllama's own worker is gone and the model must be loaded again.
  { name: 'WorkerCrashed', fragments: ['(abort)'] },
  {
    name: 'WebGPUUnavailable',
    classes: ['WebGPUNotAvailableError', 'WebGPUNotFoundError'],
    fragments: ['unable to find a compatible gpu'],
  },
  // A fetch that rejected before any byte of any file arrived: the host was never reached (no network, a refused
  // connection, a name that does not resolve). The same rejection after some bytes is a download cut part way.
  {
    name: 'HostUnreachable',
    nothingArrived: true,
    fragments: ['failed to fetch', 'networkerror when attempting', 'load failed', 'err_internet_disconnected', 'err_connection_refused', 'err_name_not_resolved'],
  },
  {
    name: 'DownloadFailed',
    fragments: [
      'failed to fetch',
      'network',
      'error (',
      'could not locate file',
      'while trying to load file',
      'access to file',
      'load failed',
      'body stream',
      'failed to store',
      'cannot fetch',
      'unable to fetch',
    ],
  },
];

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export interface NamingOptions {
  /** Put before the detail of memory failures (out of memory, a lost device): what a smaller build is here. */
  memoryAdvice?: string;
  /** Set for a load during which no byte came over the network: the origin its files were asked from. */
  unreachableHost?: string;
}

/** Maps whatever an engine threw to one named error; the engine's own text is kept as the detail. */
export function toEngineError(error: unknown, options: NamingOptions = {}): EngineError {
  if (error instanceof EngineError) return renamedWhenNothingArrived(error, options);
  const className = error instanceof Error ? error.name : '';
  const text = describe(error);
  const lower = text.toLowerCase();
  const rule = RULES.find(
    (candidate) =>
      (!candidate.nothingArrived || options.unreachableHost !== undefined) &&
      (candidate.classes?.includes(className) || candidate.fragments.some((fragment) => lower.includes(fragment))),
  );
  if (!rule) return engineError('Unknown', text, error);
  if (rule.nothingArrived) return engineError(rule.name, `${options.unreachableHost ?? ''} · ${text}`, error);
  const detail = rule.memory && options.memoryAdvice ? `${options.memoryAdvice} ${text}` : text;
  return engineError(rule.name, detail, error);
}

/** An engine names a failed fetch DownloadFailed, not knowing whether any byte arrived; the host knows. */
function renamedWhenNothingArrived(error: EngineError, options: NamingOptions): EngineError {
  if (error.name !== 'DownloadFailed' || options.unreachableHost === undefined || error.cause === undefined) return error;
  const renamed = toEngineError(error.cause, options);
  return renamed.name === 'HostUnreachable' ? renamed : error;
}
