// Runs a benchmark through the page's engine client alone (load, generate, unload, delete, list): for each build and
// device, a cold load (its stored files deleted first) when asked, a warm load from IndexedDB, a first answer
// (shader compilation, left out of the figures), every prompt `runs` times, and a three-turn conversation `runs`
// times; then, for each result on WebGPU, the greedy agreement with the same build on the CPU. Invariants: every
// request is greedy (temperature 0) with the same token budget; no two measured runs send the same prompt (see
// promptForRun); a build that fails is reported and the run goes on with the next; Stop ends the run after
// the answer in flight, keeping the builds already measured; the engine is unloaded at the end.
import { agreementFields, overallFigures, promptFigures, turnFigures } from '../../common/bench/figures';
import { modelShapeOf } from '../../common/bench/model-shapes';
import { BENCH_CONVERSATION, BENCH_PROMPTS_VERSION, benchPrompt, promptForRun, type BenchPrompt } from '../../common/bench/prompts';
import { RESULT_SCHEMA, type BenchMachine, type BenchResult, type MemoryReading, type PromptFigures } from '../../common/bench/result';
import { bytesPerToken, kvBytesPerValue, meanDecodeContext } from '../../common/bench/roofline';
import { toEngineFailure, type EngineClient } from './engine-client';
import type { ChatTurn, Device, GenerationMetrics, GenerationOptions, LoadedModel } from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';

export interface BenchTarget {
  record: ModelRecord;
  device: Device;
}

export interface BenchPlan {
  runId: string;
  modelKey: string;
  modelLabel: string;
  targets: BenchTarget[];
  prompts: BenchPrompt[];
  runs: number;
  maxNewTokens: number;
  coldLoad: boolean;
  agreement: boolean;
  bandwidth?: { gbps: number; source: string };
}

export interface RunnerDeps {
  client: Pick<EngineClient, 'load' | 'generate' | 'unload' | 'deleteCachedModel' | 'listCachedModels'>;
  filesBaseUrl(record: ModelRecord): string;
  buildLabel(record: ModelRecord): string;
  machine: BenchMachine;
  readMemory(): Promise<MemoryReading>;
  /** Clocks and ids; tests may fix them. */
  now?: () => number;
  newId?: () => string;
  isoDate?: () => string;
}

export interface BenchProgress {
  done: number;
  total: number;
  step: string;
}

export interface BenchFailure {
  target: string;
  name: string;
  message: string;
}

export interface BenchOutcome {
  results: BenchResult[];
  failures: BenchFailure[];
  stopped: boolean;
}

/** Builds that can also run on the CPU: the small ONNX builds, user-named repos, and llama.cpp's GGUF builds. */
export function offersCpu(record: ModelRecord): boolean {
  return record.runsOnCpu || record.fallsBackToCpu === true;
}

export function deviceName(device: Device): string {
  return device === 'webgpu' ? 'WebGPU' : 'CPU';
}

class Stopped extends Error {}

interface Answer {
  metrics: GenerationMetrics;
  pieces: string[];
  text: string;
}

/** The prompt the first answer and the agreement use; measured runs are numbered from 2, so none repeats it. */
const FIRST_PROMPT = benchPrompt('short-chat');

export function totalSteps(plan: BenchPlan): number {
  const perTarget = (plan.coldLoad ? 2 : 0) + 2 + plan.runs * (plan.prompts.length + BENCH_CONVERSATION.length);
  return plan.targets.length * perTarget + 2 * referencesNeeded(plan).length;
}

/** WebGPU targets whose CPU reference the plan does not measure anyway. */
function referencesNeeded(plan: BenchPlan): ModelRecord[] {
  if (!plan.agreement) return [];
  return plan.targets
    .filter((target) => target.device === 'webgpu' && offersCpu(target.record))
    .filter((target) => !plan.targets.some((other) => other.device === 'wasm' && other.record.id === target.record.id))
    .map((target) => target.record);
}

export async function runBenchmark(
  plan: BenchPlan,
  deps: RunnerDeps,
  signal: AbortSignal,
  onProgress: (progress: BenchProgress) => void,
): Promise<BenchOutcome> {
  const { client } = deps;
  const now = deps.now ?? (() => performance.now());
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const isoDate = deps.isoDate ?? (() => new Date().toISOString());
  const total = totalSteps(plan);
  let done = 0;
  const step = (label: string): void => {
    if (signal.aborted) throw new Stopped();
    onProgress({ done, total, step: label });
    done += 1;
  };
  const options: GenerationOptions = {
    maxNewTokens: plan.maxNewTokens,
    temperature: 0,
    topP: 1,
    topK: 0,
    repetitionPenalty: 1,
    enableThinking: false,
  };

  async function answer(record: ModelRecord, messages: ChatTurn[]): Promise<Answer> {
    const pieces: string[] = [];
    const promptBudgetTokens = Math.max(256, record.contextWindow - plan.maxNewTokens);
    for await (const event of client.generate({ messages, options, promptBudgetTokens }, signal)) {
      if (event.type === 'token') pieces.push(event.text);
      else if (event.result.finishReason === 'aborted') throw new Stopped();
      else return { metrics: event.result.metrics, pieces, text: event.result.text };
    }
    throw new Stopped();
  }

  async function load(target: BenchTarget): Promise<{ loaded: LoadedModel; ms: number }> {
    await client.unload();
    const started = now();
    const loaded = await client.load({ record: target.record, filesBaseUrl: deps.filesBaseUrl(target.record), device: target.device }, () => undefined);
    return { loaded, ms: now() - started };
  }

  async function weightsBytes(record: ModelRecord, loaded: LoadedModel): Promise<number> {
    const download = record.downloadBytes[loaded.dtype];
    if (download !== undefined) {
      // The image encoder of a Qwen3.5 build is in its download but is not read for text tokens.
      const vision = record.vision ? (loaded.dtype === record.dtypes.withF16 ? record.vision.withF16.bytes : record.vision.withoutF16.bytes) : 0;
      return Math.max(0, download - (vision ?? 0));
    }
    const stored = (await client.listCachedModels()).find((entry) => entry.repo === record.repo && entry.engine === record.engine);
    return stored?.bytes ?? 0;
  }

  async function measure(target: BenchTarget, label: string, firstPieces: Map<string, string[]>): Promise<BenchResult> {
    const { record } = target;
    let cold: { coldMs: number; coldFilesDownloaded: number } | undefined;
    if (plan.coldLoad) {
      step(`${label}: deleting its stored files`);
      await client.unload();
      await client.deleteCachedModel(record.repo);
      step(`${label}: cold load (download)`);
      const { loaded, ms } = await load(target);
      cold = { coldMs: ms, coldFilesDownloaded: loaded.filesDownloaded };
    }
    step(`${label}: warm load (from this device)`);
    const { loaded, ms: warmMs } = await load(target);
    const memory = deps.readMemory();

    step(`${label}: first answer (warm-up)`);
    const first = await answer(record, promptForRun(FIRST_PROMPT, 1));

    const prompts: PromptFigures[] = [];
    const all: GenerationMetrics[] = [];
    for (const prompt of plan.prompts) {
      const runs: GenerationMetrics[] = [];
      for (let run = 1; run <= plan.runs; run += 1) {
        step(`${label}: ${prompt.label}, run ${run} of ${plan.runs}`);
        runs.push((await answer(record, promptForRun(prompt, run + 1))).metrics);
      }
      all.push(...runs);
      prompts.push(promptFigures(prompt.id, runs));
    }

    const turn1: GenerationMetrics[] = [];
    const turn3: GenerationMetrics[] = [];
    for (let run = 1; run <= plan.runs; run += 1) {
      const history: ChatTurn[] = [];
      for (const [index, text] of BENCH_CONVERSATION.entries()) {
        step(`${label}: conversation ${run} of ${plan.runs}, turn ${index + 1}`);
        history.push({ role: 'user', content: index === 0 ? `(Run ${run}) ${text}` : text });
        const reply = await answer(record, [...history]);
        history.push({ role: 'assistant', content: reply.text });
        if (index === 0) turn1.push(reply.metrics);
        if (index === 2) turn3.push(reply.metrics);
      }
    }

    const overall = overallFigures(all);
    const context = meanDecodeContext(overall.promptTokens, overall.outputTokens);
    const bytes = bytesPerToken(await weightsBytes(record, loaded), modelShapeOf(record), kvBytesPerValue(record, loaded.dtype), context);
    const turns = turnFigures(turn1, turn3);
    const id = newId();
    firstPieces.set(id, first.pieces);
    return {
      schema: RESULT_SCHEMA,
      id,
      runId: plan.runId,
      measuredAt: isoDate(),
      promptsVersion: BENCH_PROMPTS_VERSION,
      machine: deps.machine,
      modelKey: plan.modelKey,
      modelLabel: plan.modelLabel,
      buildId: record.id,
      buildLabel: deps.buildLabel(record),
      engine: record.engine,
      repo: record.repo,
      dtype: loaded.dtype,
      device: loaded.device,
      ...(loaded.deviceReason ? { deviceReason: loaded.deviceReason } : {}),
      ...(loaded.threads !== undefined ? { threads: loaded.threads } : {}),
      settings: { runs: plan.runs, maxNewTokens: plan.maxNewTokens },
      load: { ...cold, warmMs, warmFilesFromCache: loaded.filesFromCache },
      firstAnswerTtftMs: first.metrics.timeToFirstTokenMs,
      prompts,
      timeToFirstTokenMs: overall.timeToFirstTokenMs,
      prefillTokensPerS: overall.prefillTokensPerS,
      decodeTokensPerS: overall.decodeTokensPerS,
      ...(turns ? { turns } : {}),
      memory: await memory,
      roofline: { ...bytes, ...(plan.bandwidth ? { bandwidthGBps: plan.bandwidth.gbps, bandwidthSource: plan.bandwidth.source } : {}) },
    };
  }

  const results: BenchResult[] = [];
  const failures: BenchFailure[] = [];
  const firstPieces = new Map<string, string[]>();
  let stopped = false;
  const perTarget = (plan.coldLoad ? 2 : 0) + 2 + plan.runs * (plan.prompts.length + BENCH_CONVERSATION.length);
  try {
    for (const [index, target] of plan.targets.entries()) {
      const label = `${deps.buildLabel(target.record)} on ${deviceName(target.device)}`;
      try {
        results.push(await measure(target, label, firstPieces));
      } catch (error) {
        if (error instanceof Stopped || signal.aborted) throw new Stopped();
        const failure = toEngineFailure(error);
        failures.push({ target: label, name: failure.name, message: failure.message });
        done = (index + 1) * perTarget;
      }
    }
    await addAgreements();
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    stopped = true;
    for (const result of results) {
      if (result.device === 'webgpu' && !result.agreement) result.agreementNote = 'Not measured: the benchmark was stopped.';
    }
  } finally {
    await client.unload().catch(() => undefined);
  }
  onProgress({ done: total, total, step: stopped ? 'Stopped' : 'Done' });
  return { results, failures, stopped };

  async function addAgreements(): Promise<void> {
    const references = new Map<string, string[] | string>();
    for (const result of results) {
      const pieces = firstPieces.get(result.id);
      if (result.device === 'wasm' && pieces && !references.has(result.buildId)) references.set(result.buildId, pieces);
    }
    for (const record of referencesNeeded(plan)) {
      if (references.has(record.id) || !results.some((result) => result.buildId === record.id && result.device === 'webgpu')) {
        done += 2;
        continue;
      }
      const label = `${deps.buildLabel(record)} on the CPU (reference)`;
      try {
        step(`${label}: load`);
        await load({ record, device: 'wasm' });
        step(`${label}: the same first answer`);
        references.set(record.id, (await answer(record, promptForRun(FIRST_PROMPT, 1))).pieces);
      } catch (error) {
        if (error instanceof Stopped || signal.aborted) throw new Stopped();
        references.set(record.id, `the CPU reference failed (${toEngineFailure(error).message})`);
      }
    }
    const whyNone = plan.agreement ? 'Not measured: this build does not run on the CPU.' : 'Not measured: the check was turned off.';
    for (const result of results) {
      if (result.device !== 'webgpu') continue;
      Object.assign(result, agreementFields(references.get(result.buildId), firstPieces.get(result.id) ?? [], plan.maxNewTokens, whyNone));
    }
  }
}
