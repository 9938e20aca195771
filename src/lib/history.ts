// Builds the turns sent to the engine from a conversation: the system prompt, then every finished exchange.
// Earlier reasoning (`<think>…</think>`) is stripped, as Qwen's own template does, and failed or empty answers are
// left out so the model never sees our error states.
import type { ChatTurn } from './protocol';
import type { ChatMessage } from './types';

const THINK_BLOCK = /<think>[\s\S]*?<\/think>\s*/g;

export function stripThinking(text: string): string {
  return text.replace(THINK_BLOCK, '').trim();
}

export function buildTurns(systemPrompt: string, messages: readonly ChatMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  if (systemPrompt.trim()) turns.push({ role: 'system', content: systemPrompt.trim() });
  for (const message of messages) {
    if (message.role === 'user') {
      turns.push({ role: 'user', content: message.content });
      continue;
    }
    const content = stripThinking(message.content);
    if (message.status === 'error' || content === '') continue;
    turns.push({ role: 'assistant', content });
  }
  return turns;
}
