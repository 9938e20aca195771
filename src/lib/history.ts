// Builds the turns sent to a model from a conversation: the system prompt, then every finished exchange.
// Earlier reasoning (`<think>…</think>`) is stripped, as Qwen's own template does, and failed or empty answers are
// left out so the model never sees our error states. In a compared conversation each side gets its own earlier
// answers; a turn the remote side did not answer (compare was off) gives it the local answer, which is what the
// user saw. Images go with their user turn to a model that takes them; for one that does not, they are left out
// and counted, so the answer can say so.
import { imageTokenEstimate } from './images';
import type { ChatTurn, ImagePart } from './protocol';
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

/**
 * A rough token count for budgeting the context: Qwen's tokenizer averages 3 to 4 characters a token on English
 * text; counting 3 errs on the side of sending less. Each turn also costs a few template tokens.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3) + 4;
}

/**
 * The turns without their oldest exchange (the first user turn and the answers after it), or undefined when only the
 * system prompt and the newest turn are left. What remains always starts with a user turn, so the model never sees
 * an orphaned answer. Both the page (estimating) and the worker (counting with the real tokenizer) trim with it.
 */
export function withoutOldestExchange(turns: readonly ChatTurn[]): ChatTurn[] | undefined {
  const systemCount = turns[0]?.role === 'system' ? 1 : 0;
  const rest = turns.slice(systemCount);
  if (rest.length <= 1) return undefined;
  let start = 1;
  while (start < rest.length - 1 && rest[start]?.role !== 'user') start += 1;
  return [...turns.slice(0, systemCount), ...rest.slice(start)];
}

/**
 * Leaves out the oldest exchanges until the turns fit in `budgetTokens`. The system prompt and the newest user turn
 * always stay.
 */
export function trimToContext(
  turns: readonly ChatTurn[],
  budgetTokens: number,
  count: (text: string) => number = estimateTokens,
): ChatTurn[] {
  const turnCost = (turn: ChatTurn): number =>
    count(turn.content) + (turn.images ?? []).reduce((sum, image) => sum + imageTokenEstimate(image), 0);
  const cost = (list: readonly ChatTurn[]): number => list.reduce((sum, turn) => sum + turnCost(turn), 0);
  let kept = [...turns];
  while (cost(kept) > budgetTokens) {
    const shorter = withoutOldestExchange(kept);
    if (!shorter) break;
    kept = shorter;
  }
  return kept;
}
