// Builds the turns sent to a model from a conversation: the system prompt, then every finished exchange.
// Earlier reasoning (`<think>…</think>`) is stripped, as Qwen's own template does, and failed or empty answers are
// left out so the model never sees our error states. In a compared conversation each side gets its own earlier
// answers; a turn the remote side did not answer (compare was off) gives it the local answer, which is what the
// user saw.
import type { ChatTurn } from './protocol';
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

export function buildTurns(systemPrompt: string, messages: readonly ChatMessage[], side: Side = 'local'): ChatTurn[] {
  const turns: ChatTurn[] = [];
  if (systemPrompt.trim()) turns.push({ role: 'system', content: systemPrompt.trim() });
  for (const message of messages) {
    if (message.role === 'user') {
      turns.push({ role: 'user', content: message.content });
      continue;
    }
    const content = stripThinking(answerFor(message, side));
    if (content === '') continue;
    turns.push({ role: 'assistant', content });
  }
  return turns;
}
