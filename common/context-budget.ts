// Fitting a conversation into the model's context: a token estimate, and leaving out the oldest exchanges until the
// turns fit. The page trims by the estimate; the worker trims again with the model's real tokenizer, with the same
// rule (`withoutOldestExchange`), so both sides agree on what "the oldest exchange" is.
import { imageTokenEstimate } from './image-rules';
import type { ChatTurn } from './protocol';

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
