// Named engine errors: toEngineError's mapping and messages (workers/errors.ts), isEngineErrorName, and the page's toEngineFailure.
import { describe, expect, it } from 'vitest';
import { EngineFailure, toEngineFailure } from '../../src/lib/engine-client';
import { ENGINE_ERROR_NAMES, isEngineErrorName, type EngineErrorName } from '../../common/errors';
import { EngineError, engineError, toEngineError } from '../../workers/errors';
import { NetworkBytesWatch } from '../../workers/engine-host';
import type { LoadProgress } from '../../common/protocol';

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('engineError', () => {
  it('builds an EngineError whose message is the advice, plus the detail in brackets', () => {
    const plain = engineError('ModelNotLoaded');
    expect(plain).toBeInstanceOf(EngineError);
    expect(plain).toBeInstanceOf(Error);
    expect(plain.name).toBe('ModelNotLoaded');
    expect(plain.message).toBe('No model is loaded yet. Pick a model and load it first.');

    const cause = new Error('root');
    const detailed = engineError('IntegrityMismatch', 'model.onnx: 10 bytes, expected 20', cause);
    expect(detailed.message).toBe(
      'A stored or downloaded file did not match its expected size or hash, so it was removed. Press Retry to fetch it again (the model host must be reachable). (model.onnx: 10 bytes, expected 20)',
    );
    expect(detailed.cause).toBe(cause);
  });

  it('has non-empty advice for every protocol error name', () => {
    for (const name of ENGINE_ERROR_NAMES) {
      const error = engineError(name);
      expect(error.name).toBe(name);
      expect(error.message.length, name).toBeGreaterThan(5);
      expect(error.message, name).not.toContain('undefined');
    }
  });
});

describe('toEngineError', () => {
  const cases: { input: unknown; name: EngineErrorName; detail: string; advice: RegExp }[] = [
    { input: new TypeError('Failed to fetch'), name: 'DownloadFailed', detail: 'TypeError: Failed to fetch', advice: /Retry/ },
    {
      input: new TypeError('NetworkError when attempting to fetch resource.'),
      name: 'DownloadFailed',
      detail: 'NetworkError when attempting to fetch resource.',
      advice: /connection/,
    },
    {
      input: new Error('Could not locate file: "https://huggingface.co/x/y/resolve/main/onnx/model.onnx".'),
      name: 'DownloadFailed',
      detail: 'Could not locate file',
      advice: /Retry/,
    },
    {
      input: new Error('Error (418) occurred while trying to load file: "https://mirror.local/x/config.json".'),
      name: 'DownloadFailed',
      detail: 'Error (418)',
      advice: /Retry/,
    },
    {
      input: new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
      name: 'QuotaExceeded',
      detail: 'QuotaExceededError: The quota has been exceeded.',
      advice: /storage/,
    },
    { input: 'QuotaExceededError', name: 'QuotaExceeded', detail: 'QuotaExceededError', advice: /delete a cached model/ },
    {
      input: new Error('This model requires f16 but the device does not support it'),
      name: 'ShaderF16Missing',
      detail: 'requires f16 but the device does not support it',
      advice: /shader-f16/,
    },
    {
      input: new Error("Feature 'shader-f16' is not enabled on this adapter"),
      name: 'ShaderF16Missing',
      detail: 'shader-f16',
      advice: /q4 or fp32/,
    },
    { input: new Error('Device was lost'), name: 'DeviceLost', detail: 'Error: Device was lost', advice: /Reload the model/ },
    { input: new Error('GPU device lost: reason destroyed'), name: 'DeviceLost', detail: 'device lost', advice: /smaller/ },
    { input: new RangeError('out of memory'), name: 'OutOfMemory', detail: 'RangeError: out of memory', advice: /smaller model/ },
    {
      input: new Error('WebGPU buffer allocation failed for 2147483648 bytes'),
      name: 'OutOfMemory',
      detail: 'allocation failed',
      advice: /Close other GPU-heavy tabs/,
    },
    { input: new Error('unexpected token'), name: 'Unknown', detail: 'Error: unexpected token', advice: /inference engine/ },
    { input: 42, name: 'Unknown', detail: '42', advice: /inference engine/ },
  ];

  for (const { input, name, detail, advice } of cases) {
    it(`maps ${JSON.stringify(String(input))} to ${name}, with advice and the original text`, () => {
      const error = toEngineError(input);
      expect(error).toBeInstanceOf(EngineError);
      expect(error.name).toBe(name);
      expect(error.message).toMatch(advice);
      expect(error.message).toContain(detail);
      expect(error.message.startsWith(engineError(name).message)).toBe(true);
      expect(error.cause).toBe(input);
    });
  }

  it('prefers DeviceLost over OutOfMemory when a lost device mentions memory', () => {
    expect(toEngineError(new Error('Device was lost: out of memory')).name).toBe('DeviceLost');
  });

  it('passes an EngineError through unchanged (same object)', () => {
    const original = engineError('Busy', 'req-1');
    expect(toEngineError(original)).toBe(original);
    const named = new EngineError('OutOfMemory', 'custom message mentioning Failed to fetch');
    const passed = toEngineError(named);
    expect(passed).toBe(named);
    expect(passed.name).toBe('OutOfMemory');
    expect(passed.message).toBe('custom message mentioning Failed to fetch');
  });

  it('maps the HTTP failures transformers.js reports for mapped status codes to DownloadFailed', () => {
    // transformers.js 4.3.1 (src/utils/hub/constants.js ERROR_MAPPING) words 4xx/5xx failures like these; only
    // unmapped statuses get the `Error (<status>)` form. A mirror answering 503 should advise Retry, not "Unknown".
    const url = '"http://mirror.local/onnx-community/Qwen3-0.6B-ONNX/onnx/model_q4f16.onnx_data"';
    for (const text of [
      `Service unavailable error occurred while trying to load file: ${url}.`,
      `Gateway timeout error occurred while trying to load file: ${url}.`,
      `Internal server error error occurred while trying to load file: ${url}.`,
      `Request timeout error occurred while trying to load file: ${url}.`,
    ]) {
      expect(toEngineError(new Error(text)).name, text).toBe('DownloadFailed');
    }
  });

  it('maps Safari’s fetch failure ("Load failed") to DownloadFailed', () => {
    expect(toEngineError(new TypeError('Load failed')).name).toBe('DownloadFailed');
  });

  it('names a fetch that rejected before any byte arrived HostUnreachable, naming the host and the ways out', () => {
    const host = 'https://huggingface.co';
    for (const input of [new TypeError('Failed to fetch'), new TypeError('NetworkError when attempting to fetch resource.'), new TypeError('Load failed')]) {
      const named = toEngineError(input, { unreachableHost: host });
      expect(named.name, input.message).toBe('HostUnreachable');
      expect(named.message).toContain(host);
      expect(named.message).toContain('connection');
      expect(named.message).toContain('Model source');
      expect(named.message).toContain('import');
      expect(named.cause).toBe(input);
    }
  });

  it('keeps a body cut part way, or any fetch failure once bytes arrived, as DownloadFailed', () => {
    // Chromium rejects a read of a body cut part way with "network error": the host was reached.
    expect(toEngineError(new TypeError('network error'), { unreachableHost: 'https://mirror.local' }).name).toBe('DownloadFailed');
    // Without unreachableHost (some bytes came over the network), a refused fetch is a cut download.
    expect(toEngineError(new TypeError('Failed to fetch')).name).toBe('DownloadFailed');
    // A reached host that answers 404 is not unreachable.
    const missing = new Error('Could not locate file: "https://mirror.local/x/config.json".');
    expect(toEngineError(missing, { unreachableHost: 'https://mirror.local' }).name).toBe('DownloadFailed');
  });

  it('renames an engine’s DownloadFailed HostUnreachable when the host knows nothing arrived', () => {
    const cause = new TypeError('Failed to fetch');
    const fromEngine = toEngineError(cause);
    expect(fromEngine.name).toBe('DownloadFailed');
    const renamed = toEngineError(fromEngine, { unreachableHost: 'http://127.0.0.1:9' });
    expect(renamed.name).toBe('HostUnreachable');
    expect(renamed.message).toContain('http://127.0.0.1:9');
    const cut = toEngineError(new TypeError('network error'));
    expect(toEngineError(cut, { unreachableHost: 'http://127.0.0.1:9' })).toBe(cut);
    const other = engineError('OutOfMemory', 'x', cause);
    expect(toEngineError(other, { unreachableHost: 'http://127.0.0.1:9' })).toBe(other);
  });

  it('maps transformers.js’s own fp16 refusal to ShaderF16Missing', () => {
    // Thrown by transformers.js 4.3.1 src/models/session.js when dtype fp16 is asked of a WebGPU device without it.
    expect(toEngineError(new Error('The device (webgpu) does not support fp16.')).name).toBe('ShaderF16Missing');
  });
});

describe('NetworkBytesWatch', () => {
  const at = (phase: LoadProgress['phase'], loadedBytes: number): LoadProgress => ({ phase, loadedBytes, totalBytes: 1000, filesDone: 0, filesTotal: 2 });

  it('sees no network bytes in a load that read only stored files, then failed to fetch the next one', () => {
    const watch = new NetworkBytesWatch();
    for (const progress of [at('download', 0), at('cache-read', 300), at('cache-read', 500), at('download', 500)]) watch.see(progress);
    expect(watch.arrived).toBe(false);
  });

  it('takes a resumed download’s first figure (the bytes already stored) as the start, not as bytes that arrived', () => {
    const watch = new NetworkBytesWatch();
    watch.see(at('download', 400));
    expect(watch.arrived).toBe(false);
    watch.see(at('download', 420));
    expect(watch.arrived).toBe(true);
  });

  it('sees bytes that grew while downloading', () => {
    const watch = new NetworkBytesWatch();
    for (const progress of [at('download', 0), at('cache-read', 300), at('download', 301)]) watch.see(progress);
    expect(watch.arrived).toBe(true);
  });
});

describe('isEngineErrorName', () => {
  it('accepts exactly the protocol’s closed set', () => {
    for (const name of ENGINE_ERROR_NAMES) expect(isEngineErrorName(name), name).toBe(true);
    expect(ENGINE_ERROR_NAMES).toHaveLength(18);
  });

  it('rejects other strings and non-strings', () => {
    for (const value of ['Error', 'TypeError', 'outofmemory', 'OUTOFMEMORY', ' Busy', 'Busy ', '', 'length', 'includes']) {
      expect(isEngineErrorName(value), JSON.stringify(value)).toBe(false);
    }
    for (const value of [undefined, null, 0, 1, true, {}, ['Busy'], { name: 'Busy' }]) {
      expect(isEngineErrorName(value)).toBe(false);
    }
  });
});

describe('toEngineFailure', () => {
  it('keeps the name and message of an Error named in the closed set', () => {
    const failure = toEngineFailure(namedError('OutOfMemory', 'The GPU ran out of memory. (detail)'));
    expect(failure).toBeInstanceOf(EngineFailure);
    expect(failure.name).toBe('OutOfMemory');
    expect(failure.message).toBe('The GPU ran out of memory. (detail)');

    for (const name of ENGINE_ERROR_NAMES) {
      const rebuilt = toEngineFailure(namedError(name, `message for ${name}`));
      expect(rebuilt.name).toBe(name);
      expect(rebuilt.message).toBe(`message for ${name}`);
    }
  });

  it('rebuilds an error the way comlink delivers it (a plain Error with name and message assigned)', () => {
    const wire = Object.assign(new Error('Stopped.'), { name: 'Aborted', message: 'Stopped.' });
    const failure = toEngineFailure(wire);
    expect(failure).toBeInstanceOf(EngineFailure);
    expect(failure.name).toBe('Aborted');
    expect(failure.message).toBe('Stopped.');
  });

  it('passes an EngineFailure through as the same object', () => {
    const original = new EngineFailure('Busy', 'still busy');
    expect(toEngineFailure(original)).toBe(original);
  });

  it('turns an Error with any other name into Unknown, keeping its message as detail', () => {
    const failure = toEngineFailure(new TypeError('x is not a function'));
    expect(failure).toBeInstanceOf(EngineFailure);
    expect(failure.name).toBe('Unknown');
    expect(failure.message).toContain('x is not a function');
    expect(failure.message).toContain('Something went wrong');
  });

  it('turns non-Errors, including look-alike objects, into Unknown', () => {
    expect(toEngineFailure('boom').name).toBe('Unknown');
    expect(toEngineFailure('boom').message).toContain('boom');
    expect(toEngineFailure(undefined).name).toBe('Unknown');
    expect(toEngineFailure({ name: 'OutOfMemory', message: 'not an Error' }).name).toBe('Unknown');
  });
});
