// The page's own data types: conversations and settings as stored and shown. Worker-facing types live in
// common/protocol.ts; these never cross to the worker except as ChatTurn[].
import type { GenerationMetrics, GenerationOptions, FinishReason, Device, ImagePart } from '../../common/protocol';
import type { ShownError } from './errors';
import type { RemoteApi, ReasoningEffortSetting as ReasoningEffort } from './remote/openai';
import type { Price } from './remote/pricing';

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

/** An image in a user message, as stored with the conversation (images.ts makes and checks them). */
export interface ChatImage extends ImagePart {
  id: string;
  /** The file name the user attached, for the label; `pasted image` when it came from the clipboard. */
  name: string;
}

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  /** User messages only: images sent with the text. */
  images?: ChatImage[];
  /** Assistant messages only. */
  status?: MessageStatus;
  /** Images in the conversation that the local model was not shown because it reads text only. */
  imagesLeftOut?: number;
  /** Earlier turns left out of what the local model was sent, to fit the context length setting. */
  turnsLeftOut?: number;
  modelId?: string;
  device?: Device;
  finishReason?: FinishReason;
  metrics?: GenerationMetrics;
  error?: ShownError;
  /** Time spent inside the `<think>` block while the answer streamed. */
  thinkingMs?: number;
  /** The remote model's answer to the same prompt, when the turn was compared. */
  remote?: RemoteAnswer;
  /** Present when the turn was compared blind. */
  blind?: BlindTurn;
}

// The remote client owns the shape of its settings; the stored settings reuse it.
export type { RemoteApi, ReasoningEffort };

export interface RemoteAnswer {
  model: string;
  content: string;
  status: MessageStatus;
  /** The stream ended before the service said it was complete; `content` is what arrived. */
  incomplete: boolean;
  usage?: { inputTokens: number; cachedInputTokens?: number; outputTokens: number; reasoningTokens: number };
  timeToFirstTokenMs?: number;
  totalMs?: number;
  tokensPerS?: number;
  costUsd?: number;
  error?: ShownError;
}

export type BlindChoice = 'local' | 'remote' | 'tie';

export interface BlindTurn {
  /** Which answer is shown as "A". Drawn at random per turn. */
  aIs: 'local' | 'remote';
  vote?: BlindChoice;
}

/** One OpenAI-compatible endpoint the app can put beside the local model (GPT-5.2, a vLLM server, any host). */
export interface RemoteSideSettings {
  /** Stable: the side's key, its answers and its scorecard results are found by it. */
  id: string;
  /** What the user calls it ("OpenAI GPT-5.2", "Qwen3.5-397B on our vLLM"). */
  name: string;
  /** OpenAI-compatible base URL, e.g. https://api.openai.com/v1. */
  endpoint: string;
  model: string;
  api: RemoteApi;
  reasoningEffort: ReasoningEffort;
  /** Send the key as a bearer token; a local vLLM or SGLang server started without --api-key needs none. */
  needsKey: boolean;
  /** Keep this side's key in IndexedDB on this device; off means memory only. */
  rememberKey: boolean;
  /** The model reads pictures: picture tasks and chat images go to it. */
  readsPictures: boolean;
  /** The endpoint accepts function tools. */
  acceptsTools: boolean;
  /** "Apache-2.0", "proprietary", or what the user typed. */
  licence: string;
  /** The model's context window in tokens, when known. */
  contextTokens?: number;
  /** Chosen: takes part in compared chat turns and in scorecard runs. */
  chosen: boolean;
}

export interface CompareSettings {
  enabled: boolean;
  /** One to three remote sides, in the order they are shown. */
  sides: RemoteSideSettings[];
  blind: boolean;
  /** USD per million tokens, by model id; editable because prices change. */
  prices: Record<string, Price>;
  /** Seconds without a byte from the endpoint before the remote answer stops (RemoteTimeout). */
  idleTimeoutS: number;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** This conversation's system prompt; new conversations start with the default from the settings. */
  systemPrompt?: string;
  messages: ChatMessage[];
}

export interface Settings {
  /** Where model files come from: the public hub or a mirror (classroom server, localhost). */
  modelBaseUrl: string;
  /** Extra ONNX repos the user added by id (served by the mirror), beside the catalogue. */
  customRepos: string[];
  selectedModelId: string | undefined;
  /** Default system prompt for new conversations. */
  systemPrompt: string;
  generation: GenerationOptions;
  /** Tokens of history + answer the app sends at most; older turns are left out beyond it. */
  contextTokens: number;
  /** Seconds a worker call may show no progress, token or answer before the worker counts as hung (×5 on the CPU). */
  watchdogSeconds: number;
  compare: CompareSettings;
}
