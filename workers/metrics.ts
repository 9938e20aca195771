// Turns the timestamps of one generation into its metrics. Pure: the clock is injected, so tests drive it.
import type { GenerationMetrics } from '../common/protocol';

export class GenerationClock {
  readonly #now: () => number;
  readonly #startedAt: number;
  #firstTokenAt: number | undefined;
  #lastTokenAt: number | undefined;
  #outputTokens = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#startedAt = now();
  }

  get outputTokens(): number {
    return this.#outputTokens;
  }

  /** Call once per generated token, as it is produced. */
  tokenProduced(): void {
    const at = this.#now();
    this.#firstTokenAt ??= at;
    this.#lastTokenAt = at;
    this.#outputTokens += 1;
  }

  finish(promptTokens: number): GenerationMetrics {
    const endedAt = this.#now();
    const firstAt = this.#firstTokenAt ?? endedAt;
    const lastAt = this.#lastTokenAt ?? endedAt;
    const timeToFirstTokenMs = firstAt - this.#startedAt;
    // The first token comes out of prefill; decode speed counts the tokens after it, over the time after it.
    const decodeMs = lastAt - firstAt;
    const decodedAfterFirst = Math.max(0, this.#outputTokens - 1);
    return {
      promptTokens,
      outputTokens: this.#outputTokens,
      timeToFirstTokenMs,
      prefillTokensPerS: perSecond(promptTokens, timeToFirstTokenMs),
      decodeTokensPerS: perSecond(decodedAfterFirst, decodeMs),
      totalMs: endedAt - this.#startedAt,
    };
  }
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 && count > 0 ? (count * 1000) / ms : 0;
}
