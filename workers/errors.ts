// Named, actionable errors for everything the worker can fail at. Comlink carries an Error's `name` and `message`
// across the boundary, so the name must be one of protocol.ts's closed set and the message must tell the user what
// to do next.
import type { EngineErrorName } from '../src/lib/protocol';

export class EngineError extends Error {
  override readonly name: EngineErrorName;

  constructor(name: EngineErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

const ADVICE: Record<EngineErrorName, string> = {
  WebGPUUnavailable:
    'This browser has no WebGPU. Use a recent Chrome or Edge (113+), or Safari 26, with hardware acceleration on.',
  ShaderF16Missing: 'This GPU has no 16-bit float shaders (shader-f16). Pick a q4 or fp32 build of the model.',
  OutOfMemory: 'The GPU ran out of memory. Close other GPU-heavy tabs or pick a smaller model.',
  DeviceLost: 'The GPU was lost (driver reset or out of memory). Reload the model, or pick a smaller one.',
  QuotaExceeded: 'The browser refused to store more data. Free space in the storage panel or delete a cached model.',
  DownloadFailed: 'The download was cut off. Check the connection and press Retry: files already stored are kept.',
  IntegrityMismatch: 'A downloaded file did not match its expected size. Press Retry to fetch it again.',
  ImportRejected:
    'These files cannot be used for this model, so nothing was stored. Fix or replace the file named here and import the folder again.',
  ImagesUnsupported: 'This model reads text only. Load a Qwen3.5 build (transformers.js) to send images.',
  ImageUnreadable: 'An attached image could not be read. Attach it again as a PNG, JPEG or WebP file.',
  ModelNotLoaded: 'No model is loaded yet. Pick a model and load it first.',
  Busy: 'The model is still busy with another request. Wait for it or press Stop.',
  Aborted: 'Stopped.',
  WorkerCrashed: 'The inference worker stopped unexpectedly and was restarted. Load the model again.',
  Unknown: 'Something went wrong inside the inference engine.',
};

export function engineError(name: EngineErrorName, detail?: string, cause?: unknown): EngineError {
  const message = detail ? `${ADVICE[name]} (${detail})` : ADVICE[name];
  return new EngineError(name, message, { cause });
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Maps whatever an engine threw to one named error; the engine's own text is kept as the detail. */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const text = describe(error);
  const lower = text.toLowerCase();
  if (lower.includes('quotaexceeded') || lower.includes('quota')) return engineError('QuotaExceeded', text, error);
  if (lower.includes('shader-f16') || lower.includes('requires f16') || lower.includes('f16 but') || lower.includes('support fp16'))
    return engineError('ShaderF16Missing', text, error);
  if (lower.includes('device lost') || lower.includes('device was lost') || lower.includes('devicelost'))
    return engineError('DeviceLost', text, error);
  if (lower.includes('out of memory') || lower.includes('outofmemory') || lower.includes('allocation failed'))
    return engineError('OutOfMemory', text, error);
  if (
    lower.includes('failed to fetch') ||
    lower.includes('network') ||
    lower.includes('error (') ||
    lower.includes('could not locate file') ||
    lower.includes('while trying to load file') ||
    lower.includes('access to file') ||
    lower.includes('load failed') ||
    lower.includes('body stream')
  )
    return engineError('DownloadFailed', text, error);
  return engineError('Unknown', text, error);
}
