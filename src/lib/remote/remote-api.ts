// The shapes of the remote client: the settings it takes and the events it yields. Types only, so the request
// bodies, the stream readers and the page can share them without importing the client.

export type RemoteApi = 'responses' | 'chat';
export type ReasoningEffortSetting = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'default';

export interface RemoteSettings {
  /** Base URL like https://api.openai.com/v1; `/responses` or `/chat/completions` is appended. */
  endpoint: string;
  apiKey: string;
  /** false: send no Authorization header (a local vLLM or SGLang server started without --api-key). Absent: true. */
  needsKey?: boolean;
  model: string;
  api: RemoteApi;
  /** `default` sends no effort at all, leaving the model's own default. */
  reasoningEffort: ReasoningEffortSetting;
  /** Caps visible plus reasoning tokens; absent means the server's default. */
  maxOutputTokens?: number;
  /** How long to wait for the endpoint's next byte before giving up (RemoteTimeout); absent means the default. */
  idleTimeoutMs?: number;
}

export interface RemoteUsage {
  inputTokens: number;
  /** The part of `inputTokens` the service read from its prompt cache, billed at the cached-input price. Absent in
   * answers stored before it was read. */
  cachedInputTokens?: number;
  /** Includes the reasoning tokens, as OpenAI reports and bills them. */
  outputTokens: number;
  /** The part of `outputTokens` spent on hidden reasoning. */
  reasoningTokens: number;
}

/** Why an answer is incomplete: the connection dropped, the token cap was hit, or the content filter stopped it. */
export type IncompleteReason = 'cut' | 'max_output_tokens' | 'content_filter';

export interface RemoteTiming {
  /** From just before the request to the first visible text (to the end when no text came). */
  timeToFirstTokenMs: number;
  totalMs: number;
}

export type RemoteEvent =
  | { type: 'delta'; text: string }
  | {
      type: 'done';
      /** Absent when the server sent none (a cut stream, or a server that ignores `include_usage`). */
      usage: RemoteUsage | undefined;
      incomplete: boolean;
      /** Set exactly when `incomplete` is true. */
      incompleteReason?: IncompleteReason;
      timing: RemoteTiming;
    };

export type RemoteDone = RemoteEvent & { type: 'done' };
