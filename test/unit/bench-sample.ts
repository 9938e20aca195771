// Benchmark results for the bench unit tests: a complete, valid record (every optional field present) whose
// fields the tests vary, and a machine on a named adapter.
import { RESULT_SCHEMA, type BenchMachine, type BenchResult } from '../../common/bench/result';
import { LAPTOP_F16 } from './gpu-adapters';

export function sampleMachine(overrides: Partial<BenchMachine> = {}): BenchMachine {
  return {
    deviceId: 'device-a',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    hardwareConcurrency: 8,
    deviceMemoryGiB: 8,
    crossOriginIsolated: true,
    adapter: { ...LAPTOP_F16, features: ['shader-f16', 'timestamp-query'] },
    appVersion: '0.1.0',
    ...overrides,
  };
}

let counter = 0;

export function sampleResult(overrides: Partial<BenchResult> = {}): BenchResult {
  counter += 1;
  return {
    schema: RESULT_SCHEMA,
    id: `result-${counter}`,
    runId: 'run-1',
    measuredAt: '2026-05-01T10:00:00.000Z',
    promptsVersion: 1,
    machine: sampleMachine(),
    modelKey: 'Qwen3 0.6B',
    modelLabel: 'Qwen3 0.6B',
    buildId: 'qwen3-0.6b-onnx',
    buildLabel: 'transformers.js q4f16',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3-0.6B-ONNX',
    dtype: 'q4f16',
    device: 'webgpu',
    deviceReason: 'asked for WebGPU, "as usual", then, a note\nover two lines',
    threads: 4,
    settings: { runs: 5, maxNewTokens: 128 },
    load: { coldMs: 9100, coldFilesDownloaded: 5, warmMs: 2100, warmFilesFromCache: 5 },
    firstAnswerTtftMs: 1900,
    prompts: [
      { promptId: 'short-chat', runs: 5, promptTokens: 21, outputTokens: 128, timeToFirstTokenMs: 80, prefillTokensPerS: 260, decodeTokensPerS: 41.5 },
      { promptId: 'long-context', runs: 5, promptTokens: 1012, outputTokens: 128, timeToFirstTokenMs: 900, prefillTokensPerS: 1124.4, decodeTokensPerS: 37.25 },
    ],
    timeToFirstTokenMs: 490,
    prefillTokensPerS: 692.2,
    decodeTokensPerS: 39.4,
    turns: { turn1TtftMs: 85, turn3TtftMs: 140, turn1PromptTokens: 30, turn3PromptTokens: 420 },
    memory: { source: 'measureUserAgentSpecificMemory', bytes: 812_000_000 },
    roofline: { weightsBytes: 569_789_750, kvBytes: 60_000_000, stateBytes: 0, contextTokens: 530, bandwidthGBps: 68.3, bandwidthSource: 'typed in' },
    agreement: { compared: 128, identical: 120, percent: 93.75, divergesAt: 120, referencePiece: ' the', candidatePiece: '=SUM(A1)' },
    agreementNote: '-not needed, here for the round trip',
    ...overrides,
  };
}
