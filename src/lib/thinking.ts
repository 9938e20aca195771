// Splits a Qwen answer into its reasoning (`<think> … </think>`) and the answer proper, and times the reasoning
// while it streams (ThinkingClock). The split is pure and cheap: it runs on the full text on every streamed frame.
// Invariants: text is only ever moved between `reasoning` and `answer`, never rewritten (apart from trimming around
// the tags, and holding back a half-arrived tag at the very end while streaming); several think blocks are joined;
// a block that never closed means the model is still thinking; an answer whose first tag is a closing `</think>`
// (templates that open the block in the prompt) had everything before it as reasoning.

const OPEN = '<think>';
const CLOSE = '</think>';

export interface ThinkingSplit {
  /** The reasoning text, blocks joined by a blank line; '' when there is none or it is only whitespace. */
  reasoning: string;
  /** The text outside the think blocks, to render as the answer. */
  answer: string;
  /** True while a think block is open (not closed yet): the model is still reasoning. */
  thinking: boolean;
  /** True when the text had any think tag at all, even an empty block. */
  hadThinkTag: boolean;
}

/** Drops a tag that has only partly arrived at the end of a streaming text ("…<thi"), so it never flashes. */
function withoutPartialTag(text: string): string {
  for (const tag of [OPEN, CLOSE]) {
    for (let length = tag.length - 1; length >= 2; length -= 1) {
      if (text.endsWith(tag.slice(0, length))) return text.slice(0, -length);
    }
  }
  return text;
}

export function splitThinking(content: string, options: { streaming?: boolean } = {}): ThinkingSplit {
  const text = options.streaming ? withoutPartialTag(content) : content;
  const reasoningParts: string[] = [];
  const answerParts: string[] = [];
  let thinking = false;
  let hadThinkTag = false;
  let position = 0;

  const firstOpen = text.indexOf(OPEN);
  const firstClose = text.indexOf(CLOSE);
  if (firstClose !== -1 && (firstOpen === -1 || firstClose < firstOpen)) {
    reasoningParts.push(text.slice(0, firstClose));
    position = firstClose + CLOSE.length;
    hadThinkTag = true;
  }

  while (position < text.length) {
    const open = text.indexOf(OPEN, position);
    if (open === -1) {
      answerParts.push(text.slice(position));
      break;
    }
    hadThinkTag = true;
    answerParts.push(text.slice(position, open));
    const start = open + OPEN.length;
    const close = text.indexOf(CLOSE, start);
    if (close === -1) {
      reasoningParts.push(text.slice(start));
      thinking = true;
      break;
    }
    reasoningParts.push(text.slice(start, close));
    position = close + CLOSE.length;
  }

  const reasoning = reasoningParts
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join('\n\n');
  const answer = hadThinkTag ? answerParts.join('').trim() : answerParts.join('');
  return { reasoning, answer, thinking, hadThinkTag };
}

/** "Thought for 3.2 s" / "Thought for 1 min 5 s", from the time spent in the think block. */
export function formatThinkingDuration(ms: number): string {
  if (ms < 1000) return `Thought for ${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `Thought for ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `Thought for ${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * The message's `thinkingMs` when the chat session recorded one. Checked at run time because stored and imported
 * messages are only validated for their core fields: older ones lack it, an edited file may hold anything.
 */
export function thinkingMsOf(message: object): number | undefined {
  const value: unknown = Reflect.get(message, 'thinkingMs');
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Measures, while an answer streams, the time between `<think>` and `</think>` appearing in it. */
export class ThinkingClock {
  #startedAt: number | undefined;
  #doneMs: number | undefined;

  /** Returns the thinking time so far (or in total, once the block has closed); undefined if there is none. */
  observe(content: string): number | undefined {
    if (this.#doneMs !== undefined) return this.#doneMs;
    if (this.#startedAt === undefined) {
      if (!content.includes(OPEN)) return undefined;
      this.#startedAt = performance.now();
    }
    const elapsed = performance.now() - this.#startedAt;
    if (content.includes(CLOSE)) this.#doneMs = elapsed;
    return elapsed;
  }
}
