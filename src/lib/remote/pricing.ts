// What a remote answer cost, and the one-line local-vs-remote summary under a compared turn. Pure functions only.
// Invariants:
// - Cost = (input − cached input) × input price + cached input × cached-input price + output × output price, per
//   million. Cached input IS modelled: the Responses API reports it as `usage.input_tokens_details.cached_tokens`,
//   Chat Completions as `usage.prompt_tokens_details.cached_tokens` (a server that reports none, like vLLM, counts
//   as 0 cached). Cached tokens are part of the input count, so they are taken out of it before the full price; a
//   price with no cached-input figure bills them as input.
// - Reasoning tokens are NOT added on top: OpenAI bills them as output tokens and already counts them inside
//   `output_tokens` / `completion_tokens` (`output_tokens_details.reasoning_tokens` is a breakdown of that number),
//   so adding them would charge them twice. Source: OpenAI's reasoning guide
//   (developers.openai.com/api/docs/guides/reasoning): reasoning tokens "are not visible via the API, they still
//   occupy space in the model's context window and are billed as output tokens".
// - Local answers cost nothing to the user: they run on their own machine. A remote cost that is not known (no usage
//   reported, or no price for the model) reads "unknown", never "$0.00".
// - Only two answers that both ran to their end are ranked by speed: a stopped, failed or cut answer is short
//   because it ended early, so it is never called the faster one. Rates come in measured (measured-rate.ts) or not at all.
import type { RemoteUsage } from './remote-api';

export interface Price {
  inputPerMillion: number;
  /** Input read from the service's prompt cache; absent means billed as input. */
  cachedInputPerMillion?: number;
  outputPerMillion: number;
}

/**
 * USD per million tokens, standard tier (OpenAI's pricing page: gpt-5.2 $1.75 input, $0.175 cached input, $14.00
 * output). Unknown models have no price; the UI then shows tokens only. `gpt-5.2-chat-latest` was retired on
 * 2026-08-10 and is no longer a default; a price the user stored for it stays in their settings.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'gpt-5.2': { inputPerMillion: 1.75, cachedInputPerMillion: 0.175, outputPerMillion: 14.0 },
};

/** Looks a model up by exact id, then without a dated snapshot suffix (`gpt-5.2-2025-12-11` → `gpt-5.2`). */
export function priceFor(model: string, prices: Readonly<Record<string, Price>> = DEFAULT_PRICES): Price | undefined {
  const id = model.trim().toLowerCase();
  return prices[id] ?? prices[id.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}

export function costUsd(usage: RemoteUsage, price: Price): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion;
  const input = (usage.inputTokens - cached) * price.inputPerMillion + cached * cachedPrice;
  return (input + usage.outputTokens * price.outputPerMillion) / 1_000_000;
}

/** Rounds half up at `digits`, nudged by a tiny epsilon so 0.00875 (stored as 0.0087499…) reads $0.0088. */
function fixed(amount: number, digits: number): string {
  const scale = 10 ** digits;
  return (Math.round(amount * scale + 1e-9) / scale).toFixed(digits);
}

/**
 * "unknown" when there is no figure, "$0.00" for nothing, "< $0.0001" for a real but tiny cost (a few tokens must
 * not read as free), four decimals under a dollar ("$0.0123"), cents from a dollar up ("$12.35").
 */
export function formatUsd(amount: number | undefined): string {
  if (amount === undefined) return 'unknown';
  if (!Number.isFinite(amount)) return '–';
  if (amount < 0) return `-${formatUsd(-amount)}`;
  if (amount === 0) return '$0.00';
  if (amount < 0.00005) return '< $0.0001';
  if (amount < 1) return `$${fixed(amount, 4)}`;
  return `$${fixed(amount, 2)}`;
}

export interface TurnSpeed {
  /** Decode rate when it was measured (measured-rate.ts); undefined when not. */
  tokensPerS: number | undefined;
  /** Wall time of the whole answer; 0 or less when unknown. */
  totalMs: number;
  /** The answer ran to its end: not stopped, failed, cut, or ended early by the service. */
  finished: boolean;
}

export interface RemoteTurnSpeed extends TurnSpeed {
  /** undefined when the server reported no usage (a cut stream) or the model has no price. */
  costUsd: number | undefined;
  /** Whether the server reported token usage: says why a cost is unknown. */
  usageReported: boolean;
  /** The remote model as the sentence names it (shown as given); "GPT-5.2" when absent. */
  model?: string;
}

function known(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value > 0;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function rate(tokensPerS: number): string {
  return tokensPerS < 10 ? tokensPerS.toFixed(1) : Math.round(tokensPerS).toString();
}

/** Within this ratio two times read as "about the same": network jitter alone moves a remote answer that much. */
const SAME_SPEED_RATIO = 1.05;

/**
 * One line comparing a turn answered by both sides, e.g.
 * "Local was 2.3× faster (1.2 s vs 2.8 s, 85 vs 40 tokens/s); GPT-5.2 cost $0.0041, local $0."
 * The faster side's numbers come first.
 */
export function compareTurn(local: TurnSpeed, remote: RemoteTurnSpeed): string {
  const label = remote.model ?? 'GPT-5.2';
  const cost =
    remote.costUsd !== undefined
      ? `${label} cost ${formatUsd(remote.costUsd)}`
      : `${label} cost unknown (${remote.usageReported ? 'no price for this model' : 'no usage reported'})`;
  return `${speedVerdict(local, remote, label)}; ${cost}, local $0.`;
}

/** Which side was faster, only between two answers that both ran to their end and both have a time. */
function speedVerdict(local: TurnSpeed, remote: TurnSpeed, label: string): string {
  if (!local.finished || !remote.finished) {
    if (!local.finished && !remote.finished) return 'No speed verdict: neither answer ran to its end';
    return `No speed verdict: the ${local.finished ? label : 'local'} answer did not run to its end`;
  }
  if (!known(local.totalMs) || !known(remote.totalMs)) return 'No timing to compare';
  const localFirst = local.totalMs <= remote.totalMs;
  const [fast, slow] = localFirst ? [local, remote] : [remote, local];
  const ratio = slow.totalMs / fast.totalMs;
  const rates = known(fast.tokensPerS) && known(slow.tokensPerS) ? `, ${rate(fast.tokensPerS)} vs ${rate(slow.tokensPerS)} tokens/s` : '';
  const numbers = `(${seconds(fast.totalMs)} vs ${seconds(slow.totalMs)}${rates})`;
  return ratio < SAME_SPEED_RATIO
    ? `Local and ${label} took about as long ${numbers}`
    : `${localFirst ? 'Local' : label} was ${ratio.toFixed(1)}× faster ${numbers}`;
}
