// The page's own data types: conversations and settings as stored and shown. Worker-facing types live in
// protocol.ts; these never cross to the worker except as ChatTurn[].
import type { GenerationMetrics, GenerationOptions, EngineErrorName, FinishReason, Device } from './protocol';

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  /** Assistant messages only. */
  status?: MessageStatus;
  modelId?: string;
  device?: Device;
  finishReason?: FinishReason;
  metrics?: GenerationMetrics;
  error?: { name: EngineErrorName; message: string };
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: ChatMessage[];
}

export interface Settings {
  /** Where model files come from: the public hub or a mirror (classroom server, localhost). */
  modelBaseUrl: string;
  /** Extra ONNX repos the user added by id (served by the mirror), beside the catalogue. */
  customRepos: string[];
  selectedModelId: string | undefined;
  systemPrompt: string;
  generation: GenerationOptions;
}
