// The JSON body of one streamed request, for the Responses API and for Chat Completions. Pure functions.
// Invariants: the body always asks for a stream; images go with their user turn as content parts, before the
// text; a reasoning effort of `default` and an absent or invalid token cap send nothing, leaving the server's own.
import type { ChatTurn } from '../../../common/protocol';
import type { ReasoningEffortSetting, RemoteSettings } from './remote-api';

function sendsEffort(effort: ReasoningEffortSetting): effort is Exclude<ReasoningEffortSetting, 'default'> {
  return effort !== 'default';
}

function validCap(cap: number | undefined): cap is number {
  return cap !== undefined && Number.isInteger(cap) && cap > 0;
}

/** A Responses API turn: plain text, or for a user turn with images, the images then the text as content parts. */
function responsesInput(turn: ChatTurn): Record<string, unknown> {
  if (!turn.images?.length) return { role: turn.role, content: turn.content };
  const images = turn.images.map((image) => ({ type: 'input_image', image_url: image.dataUrl }));
  return { role: turn.role, content: [...images, { type: 'input_text', text: turn.content }] };
}

/** A Chat Completions message, with images as `image_url` parts the same way. */
function chatMessage(turn: ChatTurn): Record<string, unknown> {
  if (!turn.images?.length) return { role: turn.role, content: turn.content };
  const images = turn.images.map((image) => ({ type: 'image_url', image_url: { url: image.dataUrl } }));
  return { role: turn.role, content: [...images, { type: 'text', text: turn.content }] };
}

/** Responses API: system turns become `instructions`; the rest is `input`. `store: false` keeps the answer off
 * OpenAI's stored-responses list, which a private-by-default app should not fill. */
export function responsesBody(settings: RemoteSettings, turns: readonly ChatTurn[]): Record<string, unknown> {
  const system = turns.filter((turn) => turn.role === 'system').map((turn) => turn.content);
  const body: Record<string, unknown> = {
    model: settings.model,
    input: turns.filter((turn) => turn.role !== 'system').map(responsesInput),
    stream: true,
    store: false,
  };
  if (system.length > 0) body.instructions = system.join('\n\n');
  if (sendsEffort(settings.reasoningEffort)) body.reasoning = { effort: settings.reasoningEffort };
  if (validCap(settings.maxOutputTokens)) body.max_output_tokens = settings.maxOutputTokens;
  return body;
}

/** Chat Completions: turns pass as messages; `include_usage` makes the server send a final usage chunk. */
export function chatBody(settings: RemoteSettings, turns: readonly ChatTurn[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: settings.model,
    messages: turns.map(chatMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (sendsEffort(settings.reasoningEffort)) body.reasoning_effort = settings.reasoningEffort;
  if (validCap(settings.maxOutputTokens)) body.max_completion_tokens = settings.maxOutputTokens;
  return body;
}

/** The body for the API the settings name. */
export function requestBody(settings: RemoteSettings, turns: readonly ChatTurn[]): Record<string, unknown> {
  return settings.api === 'responses' ? responsesBody(settings, turns) : chatBody(settings, turns);
}
