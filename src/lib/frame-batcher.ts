// Collects streamed text and hands it over at most once per animation frame, so a fast stream never re-renders
// the page per token. `flush()` hands over what is left at once (at the end of a stream, or before an error).
export class FrameBatcher {
  readonly #apply: (text: string) => void;
  #pending = '';
  #frame: number | undefined;

  constructor(apply: (text: string) => void) {
    this.#apply = apply;
  }

  push(text: string): void {
    this.#pending += text;
    this.#frame ??= requestAnimationFrame(() => this.flush());
  }

  flush(): void {
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
    if (!this.#pending) return;
    const text = this.#pending;
    this.#pending = '';
    this.#apply(text);
  }
}
