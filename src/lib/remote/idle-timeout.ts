// How long the remote client waits for the endpoint's next byte before it gives up, and the timer that does it.
// The wait restarts with every byte (headers, events, keep-alive comments), so a long answer that keeps streaming
// never times out; only silence does. Reasoning models can be silent for a while before their first word, so the
// default is generous and the user can change it (Settings → GPT-5.2 comparison → "Stop waiting after").
// Invariant: the timer aborts its signal at most once, and `fired` says whether it was the timer that did it.

/** The default wait for the endpoint's next byte: two minutes, enough for a long think at a high effort. */
export const DEFAULT_IDLE_TIMEOUT_S = 120;
/** The bounds the setting accepts: below a second every slow network would fail; above an hour is no timeout. */
export const MIN_IDLE_TIMEOUT_S = 1;
export const MAX_IDLE_TIMEOUT_S = 3600;

/** A wait in whole seconds within the bounds, or undefined for input that is not a usable number. */
export function validIdleTimeoutS(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const seconds = Math.round(value);
  return seconds >= MIN_IDLE_TIMEOUT_S && seconds <= MAX_IDLE_TIMEOUT_S ? seconds : undefined;
}

export class IdleTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fired = false;

  constructor(ms: number) {
    this.#ms = ms;
    this.touch();
  }

  /** Aborted when the wait ran out. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  get fired(): boolean {
    return this.#fired;
  }
  /** The wait as the message names it: whole seconds from the setting, tenths for the shorter waits tests use. */
  get seconds(): number {
    return Math.round(this.#ms / 100) / 10;
  }

  /** Something arrived: the wait starts again. */
  touch(): void {
    if (this.#fired) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#fired = true;
      this.#controller.abort(new DOMException('The endpoint sent nothing for too long.', 'TimeoutError'));
    }, this.#ms);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
