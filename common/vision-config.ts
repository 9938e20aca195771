// Whether a model's config.json describes an image-text build whose ONNX export ships a vision encoder that
// transformers.js runs as image-text-to-text (Qwen3.5 with a vision_config). The loader and the sideload check ask
// the same question, so a folder imported from disk holds everything the loader will read.
const IMAGE_TEXT_MODEL_TYPES: ReadonlySet<string> = new Set(['qwen3_5', 'qwen3_5_moe']);

export function isImageTextConfig(config: unknown): boolean {
  if (typeof config !== 'object' || config === null) return false;
  const modelType: unknown = Reflect.get(config, 'model_type');
  return typeof modelType === 'string' && IMAGE_TEXT_MODEL_TYPES.has(modelType) && 'vision_config' in config;
}
