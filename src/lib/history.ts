// Builds the turns sent to a model from a conversation: the system prompt, then every finished exchange.
// Earlier reasoning (`<think>…</think>`) is stripped, as Qwen's own template does, and failed or empty answers are
// left out so the model never sees our error states. In a compared conversation each side gets its own earlier
// answers; a turn the remote side did not answer (compare was off) gives it the local answer, which is what the
// user saw. Images go with their user turn to a model that takes them; for one that does not, they are left out
// and counted, so the answer can say so.
import type { ChatTurn, ImagePart } from '../../common/protocol';
import type { ChatMessage } from './types';

const THINK_BLOCK = /<think>[\s\S]*?<\/think>\s*/g;

export function stripThinking(text: string): string {
  return text.replace(THINK_BLOCK, '').trim();
}

export type Side = 'local' | 'remote';

function answerFor(message: ChatMessage, side: Side): string {
  const remote = message.remote;
  if (side === 'remote' && remote && remote.status !== 'error' && remote.content.trim()) return remote.content;
  return message.status === 'error' ? '' : message.content;
}

/** The images sent on: only the part the model reads (not the id or file name). */
function imageParts(message: ChatMessage): ImagePart[] {
  return (message.images ?? []).map(({ dataUrl, width, height }) => ({ dataUrl, width, height }));
}

export function countImages(messages: readonly ChatMessage[]): number {
  return messages.reduce((count, message) => count + (message.images?.length ?? 0), 0);
}

export interface TurnOptions {
  /** Whether the model takes images; when false they are left out. */
  images: boolean;
}

export function buildTurns(
  systemPrompt: string,
  messages: readonly ChatMessage[],
  side: Side = 'local',
  options: TurnOptions = { images: true },
): ChatTurn[] {
  const turns: ChatTurn[] = [];
  if (systemPrompt.trim()) turns.push({ role: 'system', content: systemPrompt.trim() });
  for (const message of messages) {
    if (message.role === 'user') {
      const images = options.images ? imageParts(message) : [];
      turns.push(images.length > 0 ? { role: 'user', content: message.content, images } : { role: 'user', content: message.content });
      continue;
    }
    const content = stripThinking(answerFor(message, side));
    if (content === '') continue;
    turns.push({ role: 'assistant', content });
  }
  return turns;
}
