// ModelManager's auto-pick with measured results: the picker names the fastest build of a model on this device;
// picking the model from the list selects that build; the user's own choice of a build wins from then on and is
// remembered; a first-time user's default is the recommended model's fastest build; imported results of another
// machine never count.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BuildChoices } from '../../../src/lib/state/build-choice.svelte';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import type { BenchResult } from '../../../common/bench/result';
import { sampleResult } from '../bench-sample';
import { machineFor, MemoryChoiceStorage } from './bench-fakes';
import { BIG_GPU, catalogueBuild, FakeEngineClient, roomyDevice } from './fake-engine-client';

const ONNX = catalogueBuild('qwen3-0.6b-onnx');
const WEB_LLM = catalogueBuild('webllm:Qwen3-0.6B-q4f16_1-MLC');
const OTHER_MODEL = catalogueBuild('qwen3.5-0.8b-onnx-opt');

function measured(buildId: string, decodeTokensPerS: number, deviceId = 'device-here'): BenchResult {
  return sampleResult({ buildId, decodeTokensPerS, device: 'webgpu', machine: machineFor(deviceId, BIG_GPU) });
}

async function setup(results: BenchResult[], choices: Record<string, string> = {}): Promise<{ models: ModelManager; settings: SettingsState; store: MemoryChoiceStorage }> {
  const client = new FakeEngineClient();
  const settings = new SettingsState();
  await settings.update({ selectedModelId: undefined, customRepos: [] });
  const env = roomyDevice();
  const store = new MemoryChoiceStorage();
  store.results = results;
  store.choices = choices;
  const models = new ModelManager(client, settings, new StorageState(client, env), env, new BuildChoices(store));
  await models.start();
  return { models, settings, store };
}

describe('auto-pick', () => {
  it('names the fastest build measured here, with its figure', async () => {
    const { models } = await setup([measured(ONNX.id, 18), measured(WEB_LLM.id, 42.5)]);
    expect(models.fastestFor(ONNX)).toMatchObject({ buildId: WEB_LLM.id, decodeTokensPerS: 42.5, record: { id: WEB_LLM.id } });
    expect(models.fastestFor(OTHER_MODEL)).toBeUndefined();
  });

  it('selects the fastest build when the user picks the model, until they choose another build of it', async () => {
    const { models, store } = await setup([measured(ONNX.id, 18), measured(WEB_LLM.id, 42.5)]);
    await models.pickFromList(OTHER_MODEL.id);
    expect(models.selected?.id).toBe(OTHER_MODEL.id);
    await models.pickFromList(ONNX.id);
    expect(models.selected?.id).toBe(WEB_LLM.id);
    expect(models.pickReason(WEB_LLM)).toBe('fastest');

    // Another build of the same model: the user's choice, remembered on this device.
    await models.pickFromList(ONNX.id);
    expect(models.selected?.id).toBe(ONNX.id);
    expect(store.choices['Qwen3 0.6B']).toBe(ONNX.id);
    expect(models.pickReason(ONNX)).toBe('chosen');
    await models.pickFromList(OTHER_MODEL.id);
    await models.pickFromList(ONNX.id);
    expect(models.selected?.id).toBe(ONNX.id);
  });

  it('keeps a choice made before, and a chip click is a choice too', async () => {
    const { models } = await setup([measured(ONNX.id, 18), measured(WEB_LLM.id, 42.5)], { 'Qwen3 0.6B': ONNX.id });
    await models.pickFromList(WEB_LLM.id);
    expect(models.selected?.id).toBe(WEB_LLM.id);
    await models.chooseBuild(ONNX.id);
    expect(models.selected?.id).toBe(ONNX.id);
    expect(models.pickReason(ONNX)).toBe('chosen');
  });

  it("gives a first-time user the recommended model's fastest build", async () => {
    const plain = await setup([]);
    const recommended = plain.models.recommended;
    if (!recommended) throw new Error('no recommendation');
    const sibling = plain.models.siblingsOf(recommended).find((record) => plain.models.verdict(record).possible);
    if (!sibling) throw new Error('no sibling');
    const { models } = await setup([measured(recommended.id, 10), measured(sibling.id, 30)]);
    expect(models.selected?.id).toBe(sibling.id);
  });

  it('ignores results measured on another machine', async () => {
    const { models } = await setup([measured(WEB_LLM.id, 99, 'someone-else'), measured(ONNX.id, 18)]);
    expect(models.fastestFor(ONNX)?.buildId).toBe(ONNX.id);
    await models.pickFromList(ONNX.id);
    expect(models.selected?.id).toBe(ONNX.id);
  });

  it('changes the selection at once, before the choice is written', async () => {
    const { models } = await setup([measured(ONNX.id, 18), measured(WEB_LLM.id, 42.5)]);
    const choosing = models.chooseBuild(ONNX.id);
    expect(models.selected?.id).toBe(ONNX.id);
    await choosing;
    const picking = models.pickFromList(OTHER_MODEL.id);
    expect(models.selected?.id).toBe(OTHER_MODEL.id);
    await picking;
  });

  it('takes new results from the benchmark', async () => {
    const { models } = await setup([]);
    expect(models.fastestFor(ONNX)).toBeUndefined();
    models.useResults([measured(WEB_LLM.id, 33)]);
    expect(models.fastestFor(ONNX)?.buildId).toBe(WEB_LLM.id);
  });
});
