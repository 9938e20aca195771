// The engine driven bare: the same transformers.js calls the app makes (same model, dtype, prompt template,
// greedy decoding, a warm-up), with no comlink, no protocol and no UI, timed the same way.
import { AutoModelForCausalLM, AutoTokenizer, TextStreamer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
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
}

/** The page sends 'load' once, then 'run' as often as it likes: the bench interleaves runs with the app's. */
export type BareMessage = { kind: 'load'; options: BareOptions } | { kind: 'run' };
export type BareReply = { ok: true; loadMs?: number; run?: GenerationMetrics } | { ok: false; error: string };

type Loaded = { tokenizer: PreTrainedTokenizer; model: PreTrainedModel; options: BareOptions };
let loaded: Loaded | undefined;

async function load(options: BareOptions): Promise<number> {
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
  loaded = { tokenizer, model, options };
  return performance.now() - startedAt;
}

async function runOnce({ tokenizer, model, options }: Loaded): Promise<GenerationMetrics> {
  // The same template options the app sends (thinking off).
  const templateOptions = { add_generation_prompt: true, return_dict: true as const, enable_thinking: false };
  const inputs = tokenizer.apply_chat_template([{ role: 'user', content: options.prompt }], templateOptions);
  const clock = new GenerationClock();
  const streamer = new TextStreamer(tokenizer, { skip_prompt: true, token_callback_function: () => clock.tokenProduced() });
  await model.generate({ ...inputs, max_new_tokens: options.maxNewTokens, do_sample: false, streamer });
  return clock.finish(inputs.input_ids.dims.at(-1) ?? 0);
}

async function handle(message: BareMessage): Promise<BareReply> {
  if (message.kind === 'load') return { ok: true, loadMs: await load(message.options) };
  if (!loaded) return { ok: false, error: 'not loaded' };
  return { ok: true, run: await runOnce(loaded) };
}

self.onmessage = (event: MessageEvent<BareMessage>) => {
  handle(event.data).then(
    (reply) => self.postMessage(reply),
    (error: unknown) => self.postMessage({ ok: false, error: String(error) }),
  );
};
