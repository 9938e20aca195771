// A transformers.js streamer that reports every generated token at once. TextStreamer only flushes at word
// boundaries, which makes a stream of short tokens look frozen; this one decodes the whole answer so far on each
// token and sends the new suffix, holding back a trailing partial UTF-8 character until it completes. It extends
// TextStreamer only because generate()'s parameter type asks for one; every method that streams is replaced.
import { TextStreamer, type PreTrainedTokenizer } from '@huggingface/transformers';

const REPLACEMENT_CHAR = '\uFFFD';

export class TokenStreamer extends TextStreamer {
  readonly #decoder: PreTrainedTokenizer;
  readonly #onToken: (newText: string, tokenProduced: boolean) => void;
  readonly #ids: bigint[] = [];
  #promptSeen = false;
  #printed = 0;

  constructor(decoder: PreTrainedTokenizer, onToken: (newText: string, tokenProduced: boolean) => void) {
    super(decoder, { skip_prompt: true });
    this.#decoder = decoder;
    this.#onToken = onToken;
  }

  /** The answer so far, decoded in full. */
  get text(): string {
    return this.#decoder.decode(this.#ids, { skip_special_tokens: true });
  }

  override put(value: bigint[][]): void {
    // generate() first puts the prompt, then one token per step.
    if (!this.#promptSeen) {
      this.#promptSeen = true;
      return;
    }
    const id = value[0]?.[0];
    if (id === undefined) return;
    this.#ids.push(id);
    const text = this.text;
    const ready = text.endsWith(REPLACEMENT_CHAR) ? text.slice(0, -1) : text;
    const piece = ready.slice(this.#printed);
    this.#printed = Math.max(this.#printed, ready.length);
    this.#onToken(piece, true);
  }

  override end(): void {
    const text = this.text;
    if (text.length > this.#printed) {
      const piece = text.slice(this.#printed);
      this.#printed = text.length;
      this.#onToken(piece, false);
    }
  }
}
