// The one interface every engine adapter implements. The host drives it; nothing outside workers/ sees it.
import type {
  GenerateRequest,
  GenerationResult,
  LoadedModel,
  LoadRequest,
  ProgressCallback,
  TokenCallback,
} from '../../common/protocol';

export interface Engine {
  /** Engine files the host keeps for offline use after a load, beyond what this worker's own fetches show. */
  readonly offlineAssets: readonly string[];
  load(request: LoadRequest, onProgress: ProgressCallback): Promise<LoadedModel>;
  generate(request: GenerateRequest, onToken: TokenCallback): Promise<GenerationResult>;
  /** Stops the generation with this id, if it is the one running; a no-op otherwise. */
  interrupt(requestId: string): void;
  unload(): Promise<void>;
}
