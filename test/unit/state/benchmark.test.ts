// BenchmarkState with the fake engine client: a run over a build on WebGPU and on the CPU (medians, progress, the
// agreement, the results kept and handed to the auto-pick), the cold load only after confirmation, Stop keeping
// what was measured, a failing build reported while the next one runs, the chat's model unloaded and offered
// again, the reasons a run cannot start, and the bandwidth the roofline uses.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BENCH_PROMPTS } from '../../../common/bench/prompts';
import { benchSetup, type BenchSetup } from './bench-fakes';
import { catalogueBuild, deferred, engineFailure, loadedModel } from './fake-engine-client';

const TINY = 'test/tiny-qwen3';

async function tinySetup(): Promise<BenchSetup & { id: string }> {
  const setup = await benchSetup();
  const record = await setup.models.addCustomRepo(TINY);
  setup.bench.chooseModel('Added by you · Qwen3');
  setup.bench.setRuns(2);
  setup.bench.setMaxNewTokens(4);
  for (const option of setup.bench.targetOptions) setup.bench.setTicked(option, true);
  return { ...setup, id: record.id };
}

describe('a run', () => {
  it('measures each build and device, keeps the results, and hands them to the auto-pick', async () => {
    const { bench, client, results, resultsStorage, models, id } = await tinySetup();
    expect(bench.ticked.map((option) => option.device)).toEqual(['webgpu', 'wasm']);
    const total = bench.steps;
    // Two targets × (warm load + first answer + 2 runs × (4 prompts + 3 turns)).
    expect(total).toBe(2 * (2 + 2 * (BENCH_PROMPTS.length + 3)));
    const running = bench.start();
    expect(bench.status).toBe('running');
    expect(models.benchmarking).toBe(true);
    await running;

    expect(bench.status).toBe('finished');
    expect(bench.outcome?.failures).toEqual([]);
    expect(bench.progress).toMatchObject({ done: total, total, step: 'Done' });
    expect(results.results.map((result) => result.device).sort()).toEqual(['wasm', 'webgpu']);
    const onGpu = results.results.find((result) => result.device === 'webgpu');
    const onCpu = results.results.find((result) => result.device === 'wasm');
    expect(onGpu?.decodeTokensPerS).toBe(20);
    expect(onCpu?.decodeTokensPerS).toBe(5);
    expect(onGpu?.prompts.map((prompt) => prompt.promptId)).toEqual(BENCH_PROMPTS.map((prompt) => prompt.id));
    expect(onGpu?.prompts[0]?.runs).toBe(2);
    expect(onGpu?.memory).toEqual({ source: 'performance.memory', bytes: 123_456 });
    expect(onGpu?.load.warmFilesFromCache).toBe(5);
    expect(onGpu?.turns && onGpu.turns.turn3PromptTokens > onGpu.turns.turn1PromptTokens).toBe(true);
    // Same pieces on both devices: full agreement, measured against the CPU target of this run.
    expect(onGpu?.agreement).toMatchObject({ compared: 4, identical: 4, percent: 100 });
    expect(onCpu?.agreement).toBeUndefined();
    expect(resultsStorage.saved).toHaveLength(2);
    expect(client.current).toBeUndefined();
    expect(models.benchmarking).toBe(false);
    expect(models.fastestFor(models.models.find((record) => record.id === id) ?? catalogueBuild('qwen3-0.6b-onnx'))).toMatchObject({ buildId: id, device: 'webgpu', decodeTokensPerS: 20 });
  });

  it('sends every answer greedy with the same budget, and never the same prompt twice', async () => {
    const { bench, client } = await tinySetup();
    await bench.start();
    expect(client.generated.every((request) => request.options.temperature === 0 && request.options.maxNewTokens === 4)).toBe(true);
    // Per device: the first answer (the agreement prompt), then measured runs numbered from 2.
    const perDevice = client.generated.length / 2;
    const firstDevice = client.generated.slice(0, perDevice).filter((request) => request.messages.length === 1);
    const texts = firstDevice.map((request) => request.messages[0]?.content);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('measures agreement against a CPU reference it loads itself, and names a divergence', async () => {
    const { bench, client } = await tinySetup();
    for (const option of bench.targetOptions) bench.setTicked(option, option.device === 'webgpu');
    client.pieces = (device) => (device === 'webgpu' ? ['The', ' sea', ' is', ' rough'] : ['The', ' sea', ' is', ' calm']);
    await bench.start();
    const [result] = bench.outcome?.results ?? [];
    expect(bench.outcome?.results).toHaveLength(1);
    expect(result?.agreement).toMatchObject({ compared: 4, identical: 3, percent: 75, divergesAt: 3, referencePiece: ' calm', candidatePiece: ' rough' });
    expect(client.loads.at(-1)?.device).toBe('wasm');
  });

  it('says why a build has no agreement figure when it cannot run on the CPU or the check is off', async () => {
    const { bench } = await tinySetup();
    bench.setAgreement(false);
    for (const option of bench.targetOptions) bench.setTicked(option, option.device === 'webgpu');
    await bench.start();
    expect(bench.outcome?.results[0]?.agreementNote).toMatch(/turned off/);
  });
});

describe('cold load', () => {
  it('runs only after the user confirms, deleting the stored files first', async () => {
    const { bench, client } = await tinySetup();
    bench.setColdLoad(true);
    await bench.start();
    expect(bench.status).toBe('confirm');
    expect(client.loads).toHaveLength(0);
    bench.cancelStart();
    expect(bench.status).toBe('idle');
    expect(client.deleted).toEqual([]);

    // Right after a delete the files come over the network; later loads read them from this device.
    let deletedSinceLoad = false;
    const deleteCachedModel = client.deleteCachedModel.bind(client);
    client.deleteCachedModel = (repo) => {
      deletedSinceLoad = true;
      return deleteCachedModel(repo);
    };
    client.loadScript = (request) => {
      const cold = deletedSinceLoad;
      deletedSinceLoad = false;
      return Promise.resolve(loadedModel(request.record, cold ? { filesDownloaded: 5, filesFromCache: 0 } : { filesDownloaded: 0, filesFromCache: 5 }));
    };
    await bench.start();
    await bench.confirmStart();
    expect(client.deleted).toEqual([TINY, TINY]);
    const result = bench.outcome?.results[0];
    expect(result?.load.coldMs).toBeGreaterThanOrEqual(0);
    expect(result?.load.coldFilesDownloaded).toBe(5);
    expect(result?.load.warmFilesFromCache).toBe(5);
  });
});

describe('stop, failures and the chat model', () => {
  it('stops after the answer in flight and keeps the builds already measured', async () => {
    const { bench, client, results } = await tinySetup();
    let answers = 0;
    const perTarget = 1 + 2 * (BENCH_PROMPTS.length + 3);
    client.beforeAnswer = () => {
      answers += 1;
      if (answers === perTarget + 3) bench.stop();
    };
    await bench.start();
    expect(bench.outcome?.stopped).toBe(true);
    expect(bench.progress?.step).toBe('Stopped');
    expect(results.results.map((result) => result.device)).toEqual(['webgpu']);
    expect(results.results[0]?.agreementNote).toMatch(/stopped/);
  });

  it('reports a build that fails and measures the next', async () => {
    const { bench, client } = await tinySetup();
    client.loadScript = (request) =>
      request.device === 'webgpu' ? Promise.reject(engineFailure('ShaderF16Missing')) : Promise.resolve(loadedModel(request.record, { filesFromCache: 5 }));
    await bench.start();
    expect(bench.outcome?.failures).toEqual([expect.objectContaining({ name: 'ShaderF16Missing', target: expect.stringContaining('on WebGPU') })]);
    expect(bench.outcome?.results.map((result) => result.device)).toEqual(['wasm']);
    expect(bench.progress?.done).toBe(bench.progress?.total);
  });

  it('unloads the chat model for the run, blocks loads meanwhile, and offers it again', async () => {
    const { bench, client, models } = await tinySetup();
    const chatRecord = catalogueBuild('qwen3-0.6b-onnx');
    await models.load(chatRecord);
    expect(models.status).toBe('ready');
    const hold = deferred<void>();
    let held = false;
    client.beforeAnswer = async () => {
      if (held) return;
      held = true;
      await hold.promise;
    };
    const running = bench.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(models.loaded).toBeUndefined();
    expect(models.status).toBe('idle');
    const loadsBefore = client.loads.length;
    await models.load(chatRecord);
    expect(client.loads.length).toBe(loadsBefore);
    hold.resolve();
    await running;
    expect(bench.chatModel?.id).toBe(chatRecord.id);
    await bench.reloadChatModel();
    expect(models.loaded?.modelId).toBe(chatRecord.id);
    expect(bench.chatModel).toBeUndefined();
  });

  it('will not start while the chat streams, with nothing ticked, or with no prompt', async () => {
    const { bench, chat, client } = await tinySetup();
    chat.busy = true;
    expect(bench.blocker).toMatch(/chat/);
    await bench.start();
    expect(client.loads).toHaveLength(0);
    chat.busy = false;
    for (const option of bench.targetOptions) bench.setTicked(option, false);
    expect(bench.blocker).toMatch(/at least one build/);
    const [first] = bench.targetOptions;
    if (first) bench.setTicked(first, true);
    expect(bench.blocker).toBeUndefined();
    for (const prompt of BENCH_PROMPTS) bench.setPrompt(prompt.id, false);
    expect(bench.blocker).toMatch(/prompt/);
  });

  it('measures the builds the user added side by side: an ONNX folder and a GGUF file of one family', async () => {
    const { bench, models } = await tinySetup();
    const gguf = await models.addCustomRepo('test/tiny-qwen3-GGUF/tiny-qwen3-Q8_0.gguf');
    expect(bench.model?.builds.map((record) => record.engine)).toEqual(['transformers', 'llama-cpp']);
    expect(bench.targetOptions.filter((option) => option.record.id === gguf.id).map((option) => option.device)).toEqual(['webgpu', 'wasm']);
  });

  it('offers each build of a catalogue model on WebGPU, and on the CPU only where it runs there', async () => {
    const { bench } = await benchSetup();
    bench.chooseModel('Qwen3 0.6B');
    const options = bench.targetOptions;
    expect(options.filter((option) => option.device === 'webgpu').length).toBeGreaterThan(1);
    // The small ONNX build and every llama.cpp build (its CPU backend) run on the CPU; web-llm does not.
    const onCpu = options.filter((option) => option.device === 'wasm').map((option) => option.record);
    expect(onCpu.map((record) => record.id)).toContain('qwen3-0.6b-onnx');
    expect(onCpu.filter((record) => record.id !== 'qwen3-0.6b-onnx').every((record) => record.engine === 'llama-cpp')).toBe(true);
    expect(onCpu.some((record) => record.engine === 'web-llm')).toBe(false);
    expect(bench.ticked.every((option) => option.device === 'webgpu')).toBe(true);
    bench.setRuns(0);
    expect(bench.runs).toBe(1);
    bench.setMaxNewTokens(1e9);
    expect(bench.maxNewTokens).toBe(2048);
  });
});

describe('the bandwidth for the roofline', () => {
  it('takes a typed figure over the table, the table entry the name matched, and gives it to the run', async () => {
    const { bench, client, models } = await tinySetup();
    if (client.gpu instanceof Error) throw client.gpu;
    client.gpu = { ...client.gpu, vendor: 'nvidia', architecture: '', description: 'NVIDIA H200' };
    await models.probe();
    expect(bench.bandwidth.match.kind).toBe('matched');
    expect(bench.bandwidth.value).toMatchObject({ gbps: 4800 });
    bench.bandwidth.type(68.25);
    expect(bench.bandwidth.value).toEqual({ gbps: 68.25, source: 'typed in' });
    bench.bandwidth.type(-1);
    expect(bench.bandwidth.value?.gbps).toBe(4800);
    await bench.start();
    expect(bench.outcome?.results[0]?.roofline).toMatchObject({ bandwidthGBps: 4800, bandwidthSource: expect.stringContaining('H200') });
  });

  it('lets the user pick among the candidates when the browser names no GPU', async () => {
    const { bench, client, models } = await tinySetup();
    if (client.gpu instanceof Error) throw client.gpu;
    client.gpu = { ...client.gpu, vendor: 'apple', architecture: 'metal-3', description: '' };
    await models.probe();
    expect(bench.bandwidth.match.kind).toBe('candidates');
    expect(bench.bandwidth.value).toBeUndefined();
    bench.bandwidth.chooseTableEntry('m3-pro');
    expect(bench.bandwidth.value?.gbps).toBe(150);
  });
});
