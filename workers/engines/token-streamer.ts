// A transformers.js streamer that reports every generated token at once. TextStreamer only flushes at word
// boundaries, which makes a stream of short tokens look frozen; this one decodes only the tokens not yet shown and
// sends them as soon as they form whole characters (a trailing partial UTF-8 character waits for its next token).
// Decoding just the pending tail keeps each step's cost constant instead of growing with the answer; Qwen's
// byte-level decoder makes the pieces concatenate to the full decode. It extends TextStreamer only because
// generate()'s parameter type asks for one; every method that streams is replaced.
import { TextStreamer, type PreTrainedTokenizer } from '@huggingface/transformers';

const REPLACEMENT_CHAR = '\uFFFD';

export class TokenStreamer extends TextStreamer {
  readonly #decoder: PreTrainedTokenizer;
  readonly #onToken: (newText: string, tokenProduced: boolean) => void;
  /** Tokens produced but not yet shown (they end in an incomplete character). */
  #pending: bigint[] = [];
  #shown = '';
  #promptSeen = false;

  constructor(decoder: PreTrainedTokenizer, onToken: (newText: string, tokenProduced: boolean) => void) {
    super(decoder, { skip_prompt: true });
    this.#decoder = decoder;
    this.#onToken = onToken;
  }

  /** The answer so far: what was shown, plus whatever the pending tokens decode to. */
  get text(): string {
    return this.#shown + this.#decodePending();
  }

  override put(value: bigint[][]): void {
    // generate() first puts the prompt, then one token per step.
    if (!this.#promptSeen) {
      this.#promptSeen = true;
      return;
    }
    const id = value[0]?.[0];
    if (id === undefined) return;
    this.#pending.push(id);
    const piece = this.#decodePending();
    if (piece.endsWith(REPLACEMENT_CHAR)) {
      this.#onToken('', true);
      return;
    }
    this.#show(piece);
    this.#onToken(piece, true);
  }

  override end(): void {
    const rest = this.#decodePending();
    this.#show(rest);
    if (rest) this.#onToken(rest, false);
  }

  #decodePending(): string {
    return this.#pending.length ? this.#decoder.decode(this.#pending, { skip_special_tokens: true }) : '';
  }

  #show(piece: string): void {
    this.#shown += piece;
    this.#pending = [];
  }
}
