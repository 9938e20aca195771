// The one rule for when a rate is a measurement and not noise: an answer that arrives in one burst (a remote
// service that buffers, a local answer of two tokens) would otherwise read "95246 tok/s" and win a ranking it
// never ran. Every rate the views show or compare, local or remote, passes through here.
// Invariant: a rate is known only over at least MIN_RATE_TOKENS tokens and MIN_RATE_MS milliseconds; else undefined.
import type { GenerationMetrics } from '../../common/protocol';

export const MIN_RATE_TOKENS = 4;
export const MIN_RATE_MS = 250;

/** What a dash in place of a rate means, for its tooltip. */
export const UNMEASURED = `Not measured: a rate needs at least ${MIN_RATE_TOKENS} tokens over ${MIN_RATE_MS} ms`;

/** Whether `tokens` over `ms` is enough to call the quotient a rate. */
export function isMeasured(tokens: number, ms: number): boolean {
  return Number.isFinite(tokens) && Number.isFinite(ms) && tokens >= MIN_RATE_TOKENS && ms >= MIN_RATE_MS;
}

/** Tokens per second over `ms`, or undefined when too few tokens or too short a time were measured. */
export function measuredRate(tokens: number, ms: number): number | undefined {
  return isMeasured(tokens, ms) ? (tokens * 1000) / ms : undefined;
}

/** A local answer's decode rate (the engine's figure) when its tokens after the first one took long enough. */
export function localDecodeRate(metrics: GenerationMetrics): number | undefined {
  const measured = isMeasured(metrics.outputTokens, metrics.totalMs - metrics.timeToFirstTokenMs);
  return measured && metrics.decodeTokensPerS > 0 ? metrics.decodeTokensPerS : undefined;
}

/** A local answer's prefill rate (the prompt over the time to the first token), under the same rule. */
export function localPrefillRate(metrics: GenerationMetrics): number | undefined {
  const measured = isMeasured(metrics.promptTokens, metrics.timeToFirstTokenMs);
  return measured && metrics.prefillTokensPerS > 0 ? metrics.prefillTokensPerS : undefined;
}
