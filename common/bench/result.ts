// What one benchmark measured: one build on one device, on one machine, with the settings and prompt set it ran
// under. The record is plain JSON (kept in IndexedDB, exported, imported), described once by RESULT_FIELDS, which
// checks records read from outside and drives the CSV columns. Invariants: every figure is a measurement (an
// unmeasured one is absent, never 0); `decodeTokensPerS` is the median over every measured run of every prompt;
// a result names its machine (machine.ts tells two apart), so results of two machines can sit side by side and
// only this device's drive the auto-pick.
import type { EngineKind, Dtype } from '../model-record';
import type { Device, GpuInfo } from '../protocol';
import { isRecord } from '../guards';
import { checkFields, pick, type Field } from './schema';

export const RESULT_SCHEMA = 1;

export interface BenchMachine {
  /** A random id this browser profile keeps (storage.ts), so its own results are told from imported ones. */
  deviceId: string;
  userAgent: string;
  hardwareConcurrency?: number;
  /** navigator.deviceMemory (GiB, rounded and capped by the browser). */
  deviceMemoryGiB?: number;
  crossOriginIsolated: boolean;
  adapter: GpuInfo;
  appVersion: string;
}

export interface PromptFigures {
  promptId: string;
  runs: number;
  /** Medians over the runs. */
  promptTokens: number;
  outputTokens: number;
  timeToFirstTokenMs: number;
  prefillTokensPerS: number;
  decodeTokensPerS: number;
}

/** First-token times of turn 1 and turn 3 of one conversation (medians): their ratio shows KV-cache reuse. */
export interface TurnFigures {
  turn1TtftMs: number;
  turn3TtftMs: number;
  turn1PromptTokens: number;
  turn3PromptTokens: number;
}

export type MemorySource = 'measureUserAgentSpecificMemory' | 'performance.memory' | 'not exposed';

export interface MemoryReading {
  source: MemorySource;
  bytes?: number;
}

export interface RooflineFigures {
  weightsBytes: number;
  kvBytes: number;
  stateBytes: number;
  contextTokens: number;
  /** The bandwidth the run was given (matched in the table or typed in); absent when none was known. */
  bandwidthGBps?: number;
  bandwidthSource?: string;
}

export interface AgreementFigures {
  compared: number;
  identical: number;
  percent: number;
  divergesAt?: number;
  referencePiece?: string;
  candidatePiece?: string;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  id: string;
  /** The benchmark run it belongs to: results of one run were measured one after the other. */
  runId: string;
  /** ISO 8601. */
  measuredAt: string;
  promptsVersion: number;
  machine: BenchMachine;
  modelKey: string;
  modelLabel: string;
  buildId: string;
  /** The build's name as the picker says it ("transformers.js q4"). */
  buildLabel: string;
  engine: EngineKind;
  repo: string;
  dtype: Dtype;
  /** Where it ran, as the engine reported (a WebGPU request may have run on the CPU: see deviceReason). */
  device: Device;
  deviceReason?: string;
  threads?: number;
  settings: { runs: number; maxNewTokens: number };
  load: { coldMs?: number; coldFilesDownloaded?: number; warmMs: number; warmFilesFromCache: number };
  /** The first answer after the load: shader compilation and warm-up, left out of the medians. */
  firstAnswerTtftMs: number;
  prompts: PromptFigures[];
  timeToFirstTokenMs: number;
  prefillTokensPerS: number;
  decodeTokensPerS: number;
  turns?: TurnFigures;
  memory: MemoryReading;
  roofline: RooflineFigures;
  /** Greedy top-1 agreement with the same build on the CPU (WebGPU results only). */
  agreement?: AgreementFigures;
  /** Why there is no agreement figure, when a WebGPU result has none. */
  agreementNote?: string;
}

const ENGINES: readonly EngineKind[] = ['transformers', 'web-llm', 'llama-cpp'];
const DTYPES: readonly Dtype[] = ['q4f16', 'q4', 'q8', 'fp16', 'fp32'];
const DEVICES: readonly Device[] = ['webgpu', 'wasm'];
const MEMORY_SOURCES: readonly MemorySource[] = ['measureUserAgentSpecificMemory', 'performance.memory', 'not exposed'];

const text: Field = { kind: 'string' };
const optionalText: Field = { kind: 'string', optional: true };
const count: Field = { kind: 'number', min: 0 };
const optionalCount: Field = { kind: 'number', min: 0, optional: true };
const flag: Field = { kind: 'boolean' };

const ADAPTER_FIELDS: Record<string, Field> = {
  webgpu: flag,
  shaderF16: flag,
  vendor: text,
  architecture: text,
  device: text,
  description: text,
  isFallbackAdapter: flag,
  maxBufferSize: count,
  maxStorageBufferBindingSize: count,
  features: { kind: 'strings' },
};

/** The prompt rows of a result: one CSV row each. */
export const PROMPT_FIELDS: Readonly<Record<string, Field>> = {
  promptId: text,
  runs: count,
  promptTokens: count,
  outputTokens: count,
  timeToFirstTokenMs: count,
  prefillTokensPerS: count,
  decodeTokensPerS: count,
};

export const RESULT_FIELDS: Readonly<Record<string, Field>> = {
  schema: { kind: 'number', min: RESULT_SCHEMA, max: RESULT_SCHEMA },
  id: text,
  runId: text,
  measuredAt: text,
  promptsVersion: count,
  machine: {
    kind: 'object',
    fields: {
      deviceId: text,
      userAgent: text,
      hardwareConcurrency: optionalCount,
      deviceMemoryGiB: optionalCount,
      crossOriginIsolated: flag,
      adapter: { kind: 'object', fields: ADAPTER_FIELDS },
      appVersion: text,
    },
  },
  modelKey: text,
  modelLabel: text,
  buildId: text,
  buildLabel: text,
  engine: { kind: 'enum', values: ENGINES },
  repo: text,
  dtype: { kind: 'enum', values: DTYPES },
  device: { kind: 'enum', values: DEVICES },
  deviceReason: optionalText,
  threads: optionalCount,
  settings: { kind: 'object', fields: { runs: count, maxNewTokens: count } },
  load: {
    kind: 'object',
    fields: { coldMs: optionalCount, coldFilesDownloaded: optionalCount, warmMs: count, warmFilesFromCache: count },
  },
  firstAnswerTtftMs: count,
  prompts: { kind: 'list', item: PROMPT_FIELDS, minItems: 1 },
  timeToFirstTokenMs: count,
  prefillTokensPerS: count,
  decodeTokensPerS: count,
  turns: {
    kind: 'object',
    optional: true,
    fields: { turn1TtftMs: count, turn3TtftMs: count, turn1PromptTokens: count, turn3PromptTokens: count },
  },
  memory: { kind: 'object', fields: { source: { kind: 'enum', values: MEMORY_SOURCES }, bytes: optionalCount } },
  roofline: {
    kind: 'object',
    fields: {
      weightsBytes: count,
      kvBytes: count,
      stateBytes: count,
      contextTokens: count,
      bandwidthGBps: optionalCount,
      bandwidthSource: optionalText,
    },
  },
  agreement: {
    kind: 'object',
    optional: true,
    fields: {
      compared: count,
      identical: count,
      percent: count,
      divergesAt: optionalCount,
      referencePiece: optionalText,
      candidatePiece: optionalText,
    },
  },
  agreementNote: optionalText,
};

/** What is wrong with a record read from outside, naming the field; undefined for a valid result. */
export function resultProblem(value: unknown): string | undefined {
  return checkFields(RESULT_FIELDS, value, '');
}

/** A valid result with only the fields this schema knows, or undefined. */
export function parseResult(value: unknown): BenchResult | undefined {
  if (!isRecord(value) || resultProblem(value) !== undefined) return undefined;
  // RESULT_FIELDS describes BenchResult field for field, and the check above passed.
  return pick(RESULT_FIELDS, value) as unknown as BenchResult;
}

/** The adapter as results name it: vendor, architecture and what else the browser told. */
export function adapterName(adapter: Pick<GpuInfo, 'webgpu' | 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>): string {
  if (!adapter.webgpu) return 'no WebGPU';
  const parts = [adapter.description || adapter.device, adapter.vendor, adapter.architecture].filter((part) => part !== '');
  const name = parts.length > 0 ? [...new Set(parts)].join(' · ') : 'unnamed GPU';
  return adapter.isFallbackAdapter ? `${name} (software)` : name;
}

/** A short name for a machine: its adapter, cores and browser, for tables and the comparison. */
export function machineLabel(machine: BenchMachine): string {
  const browser = /(Chrome|Chromium|Edg|Firefox|Safari)\/(\d+)/.exec(machine.userAgent);
  const cores = machine.hardwareConcurrency ? `${machine.hardwareConcurrency} cores` : '';
  return [adapterName(machine.adapter), cores, browser ? `${browser[1]} ${browser[2]}` : ''].filter((part) => part).join(', ');
}
