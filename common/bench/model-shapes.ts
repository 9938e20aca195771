// The shapes of the catalogue's models that the roofline needs: how many layers keep a KV cache, their KV heads and
// head size, and the fixed recurrent state that Qwen3.5's linear-attention layers read and write at every token.
// Keyed by model (family and size), so every engine's build of one model shares one entry; a model the table does
// not know (a build the user added) has no shape, and its roofline then counts the weights only.
import type { ModelRecord } from '../model-record';

export interface ModelShape {
  layers: number;
  /** Layers with softmax attention, whose KV cache grows with the context (all of them in Qwen3). */
  kvLayers: number;
  kvHeads: number;
  headDim: number;
  /** Bytes of recurrent state read per token (Qwen3.5's Gated DeltaNet layers: value heads × 128 × 128, fp32). */
  recurrentStateBytes: number;
}

/**
 * The model a build belongs to: family and size, the same for its builds on every engine. The size of a build the
 * user added is unknown, so their builds of one family count as one model (often one model in two formats on a
 * classroom mirror, an ONNX folder and a GGUF file), which the benchmark can then measure side by side.
 */
export function modelKeyOf(record: Pick<ModelRecord, 'family' | 'parameters'>): string {
  return /^\d+(\.\d+)?B$/.test(record.parameters) ? `${record.family} ${record.parameters}` : `Added by you · ${record.family}`;
}

function qwen3(layers: number): ModelShape {
  return { layers, kvLayers: layers, kvHeads: 8, headDim: 128, recurrentStateBytes: 0 };
}

/** Qwen3.5: full attention on every fourth layer (head_dim 256), Gated DeltaNet on the others. */
function qwen35(layers: number, kvHeads: number, linearValueHeads: number): ModelShape {
  const kvLayers = layers / 4;
  return { layers, kvLayers, kvHeads, headDim: 256, recurrentStateBytes: (layers - kvLayers) * linearValueHeads * 128 * 128 * 4 };
}

// Qwen3: num_hidden_layers, num_key_value_heads and head_dim from each Qwen/Qwen3-*/config.json (0.6B and 1.7B:
// 28 layers; 4B and 8B: 36; 8 KV heads of 128 everywhere). Qwen3.5: the text_config of Qwen/Qwen3.5-*/config.json
// (full_attention_interval 4, head_dim 256); the 0.8B figures are read from its config, those of 2B, 4B and 9B
// follow the family's configs as the catalogue's GPU estimate does (common/catalog/transformers-builds.ts).
const SHAPES: Readonly<Record<string, ModelShape>> = Object.freeze({
  'Qwen3 0.6B': qwen3(28),
  'Qwen3 1.7B': qwen3(28),
  'Qwen3 4B': qwen3(36),
  'Qwen3 8B': qwen3(36),
  'Qwen3.5 0.8B': qwen35(24, 2, 16),
  'Qwen3.5 2B': qwen35(24, 2, 16),
  'Qwen3.5 4B': qwen35(32, 4, 32),
  'Qwen3.5 9B': qwen35(32, 4, 32),
});

export function modelShapeOf(record: Pick<ModelRecord, 'family' | 'parameters'>): ModelShape | undefined {
  return SHAPES[modelKeyOf(record)];
}
