// llama.cpp's native log, as wllama hands it over, read for the two things the app needs from it: where the model
// really went (llama.cpp falls back from WebGPU to the CPU without an error) and the last warnings before a failure
// (a failed allocation is logged, then reported as a bare "failed to load"). Nothing is printed per token: llama.cpp
// runs at log level INFO, which says nothing while it generates (DEBUG sends about three lines per token).
import type { WllamaLogger } from '@wllama/wllama';
import type { Device } from '../../common/protocol';
import { EngineError } from '../errors';
import { deviceFromLog } from './llama-cpp-options';

// `load_tensors:   CPU_Mapped model buffer size = 0.42 MiB`; a GPU backend's buffer is named for it (WebGPU…).
const MODEL_BUFFER = /load_tensors:\s+(\S+) model buffer size/;
const OFFLOADED = /offloaded (\d+)\/\d+ layers to GPU/;
const KEPT_WARNINGS = 6;

function text(parts: unknown[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(' ');
}

export class NativeLog {
  #layerZero: Device | undefined;
  #gpuBuffer = false;
  #cpuBuffer = false;
  #warnings: string[] = [];

  /** The logger to give wllama. */
  readonly logger: WllamaLogger = {
    debug: (...parts: unknown[]) => this.#see(text(parts)),
    log: (...parts: unknown[]) => this.#see(text(parts)),
    warn: (...parts: unknown[]) => this.#warn(text(parts)),
    error: (...parts: unknown[]) => this.#warn(text(parts)),
  };

  /** What the log says about where the layers went; undefined when it said nothing. */
  get device(): Device | undefined {
    if (this.#layerZero) return this.#layerZero;
    if (this.#gpuBuffer) return 'webgpu';
    return this.#cpuBuffer ? 'wasm' : undefined;
  }

  /** The last warnings and errors, newest last, to name a failure that llama.cpp reported only in its log. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  #see(line: string): void {
    this.#layerZero ??= deviceFromLog(line);
    const buffer = MODEL_BUFFER.exec(line)?.[1];
    if (buffer !== undefined) {
      if (buffer.toUpperCase().startsWith('CPU')) this.#cpuBuffer = true;
      else this.#gpuBuffer = true;
    }
    if (Number(OFFLOADED.exec(line)?.[1] ?? 0) > 0) this.#gpuBuffer = true;
  }

  #warn(line: string): void {
    this.#see(line);
    // A failure llama-server reports to the request (a prompt over the context) is also logged: not a warning here.
    if (line.includes('Model returned an error')) return;
    console.warn(`[llama-cpp] ${line}`);
    this.#warnings = [...this.#warnings.slice(-(KEPT_WARNINGS - 1)), line];
  }
}

/**
 * The error with llama.cpp's last warnings after its message, so the one naming table can tell what it was; an
 * error this app already named passes through as it is.
 */
export function withNativeDetail(error: unknown, log: NativeLog): Error {
  const base = error instanceof Error ? error : new Error(String(error));
  if (base instanceof EngineError || log.warnings.length === 0) return base;
  const detailed = new Error(`${base.message} — llama.cpp: ${log.warnings.join(' | ')}`, { cause: base });
  detailed.name = base.name;
  return detailed;
}
