// The engine driven bare: the same transformers.js calls the app makes (same model, dtype, prompt template,
// greedy decoding, a warm-up), with no comlink, no protocol and no UI, timed the same way.
import { AutoModelForCausalLM, AutoTokenizer, TextStreamer, env } from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { GenerationClock } from '../../workers/metrics';
import type { Dtype } from '../../common/model-record';
import type { GenerationMetrics } from '../../common/protocol';

export interface BareOptions {
  filesBaseUrl: string;
  repo: string;
  dtype: Dtype;
  prompt: string;
  maxNewTokens: number;
  runs: number;
}

export type BareResult = { ok: true; loadMs: number; runs: GenerationMetrics[] } | { ok: false; error: string };

async function run(options: BareOptions): Promise<BareResult> {
  const base = new URL(options.filesBaseUrl);
  env.allowLocalModels = false;
  env.useBrowserCache = false;
  env.remoteHost = `${base.origin}/`;
  env.remotePathTemplate = base.pathname.replace(/^\//, '');
  const onnx = env.backends.onnx;
  if (onnx.wasm) onnx.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };

  const startedAt = performance.now();
  const tokenizer = await AutoTokenizer.from_pretrained(options.repo);
  const model = await AutoModelForCausalLM.from_pretrained(options.repo, { device: 'webgpu', dtype: options.dtype });
  await model.generate({ ...tokenizer('Hello'), max_new_tokens: 2, do_sample: false });
  const loadMs = performance.now() - startedAt;

  const runs: GenerationMetrics[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    // The same template options the app sends (thinking off).
    const templateOptions = { add_generation_prompt: true, return_dict: true as const, enable_thinking: false };
    const inputs = tokenizer.apply_chat_template([{ role: 'user', content: options.prompt }], templateOptions);
    const clock = new GenerationClock();
    const streamer = new TextStreamer(tokenizer, { skip_prompt: true, token_callback_function: () => clock.tokenProduced() });
    await model.generate({ ...inputs, max_new_tokens: options.maxNewTokens, do_sample: false, streamer });
    runs.push(clock.finish(inputs.input_ids.dims.at(-1) ?? 0));
  }
  return { ok: true, loadMs, runs };
}

self.onmessage = (event: MessageEvent<BareOptions>) => {
  run(event.data).then(
    (result) => self.postMessage(result),
    (error: unknown) => self.postMessage({ ok: false, error: String(error) }),
  );
};
