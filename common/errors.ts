// The closed set of errors that cross the worker boundary, each with the advice the user reads: one table, used by
// the worker when it names a failure and by the page when it reports one of its own (a crashed or hung worker).

/** The closed set of errors that cross the worker boundary, by name. */
export const ENGINE_ERROR_NAMES = [
  'WebGPUUnavailable',
  'ShaderF16Missing',
  'OutOfMemory',
  'DeviceLost',
  'QuotaExceeded',
  'HostUnreachable',
  'DownloadFailed',
  'IntegrityMismatch',
  'ImportRejected',
  'ModelUnsupported',
  'ImagesUnsupported',
  'ImageUnreadable',
  'ModelNotLoaded',
  'Busy',
  'Aborted',
  'WorkerCrashed',
  'WorkerHung',
  'Unknown',
] as const;
export type EngineErrorName = (typeof ENGINE_ERROR_NAMES)[number];

export function isEngineErrorName(name: unknown): name is EngineErrorName {
  return typeof name === 'string' && (ENGINE_ERROR_NAMES as readonly string[]).includes(name);
}

/** What the user reads for each error: what happened and what to do next. */
export const ENGINE_ADVICE: Readonly<Record<EngineErrorName, string>> = {
  WebGPUUnavailable:
    'This browser has no WebGPU. Use a recent Chrome or Edge (113+), or Safari 26, with hardware acceleration on.',
  ShaderF16Missing: 'This GPU has no 16-bit float shaders (shader-f16). Pick a q4 or fp32 build of the model.',
  OutOfMemory: 'The GPU ran out of memory. Close other GPU-heavy tabs or pick a smaller model.',
  DeviceLost: 'The GPU was lost (driver reset or out of memory). Reload the model, or pick a smaller one.',
  QuotaExceeded: 'The browser refused to store more data. Free space in the storage panel or delete a cached model.',
  HostUnreachable:
    'The model host could not be reached, so nothing was downloaded. Check the connection and press Retry, set a mirror under “Model source”, or import the model’s files from disk in Storage.',
  DownloadFailed: 'The download was cut off. Check the connection and press Retry: files already stored are kept.',
  IntegrityMismatch:
    'A stored or downloaded file did not match its expected size or hash, so it was removed. Press Retry to fetch it again (the model host must be reachable).',
  ImportRejected:
    'These files cannot be used for this model, so nothing was stored. Fix or replace the file named here and import the folder again.',
  ModelUnsupported:
    'This model file is not a Qwen model (Qwen3, Qwen3.5 or Qwen2), and this app runs only those. Pick a Qwen build, or name a Qwen GGUF file.',
  ImagesUnsupported: 'This model reads text only. Load a Qwen3.5 build (transformers.js) to send images.',
  ImageUnreadable: 'An attached image could not be read. Attach it again as a PNG, JPEG or WebP file.',
  ModelNotLoaded: 'No model is loaded yet. Pick a model and load it first.',
  Busy: 'The model is still busy with another request. Wait for it or press Stop.',
  Aborted: 'Stopped.',
  WorkerCrashed: 'The inference worker stopped unexpectedly and was restarted; the model is loaded again from this device.',
  WorkerHung:
    'The model stopped responding (no progress for too long), so the app restarted it. What was written so far is kept, and the model is loaded again from this device; on a slow device, raise the watchdog time in the answer settings.',
  Unknown: 'Something went wrong inside the inference engine.',
};
