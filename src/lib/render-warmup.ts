// Pays the answer renderer's first-use costs while the page is idle, not in the frame where an answer's first text
// appears. V8 compiles marked's and DOMPurify's functions and regular expressions the first time they run, and it
// compiles a regular expression again for the first two-byte string it meets (any text beyond Latin-1: typographic
// quotes, emoji, CJK, U+FFFD): a first render took ~15 ms of a 23 ms frame in headless Chromium here, later ones
// under 2 ms; in Node the first non-Latin-1 text costs 3.7 ms to lex after an ASCII warm-up, 0.1 ms after both.
// highlight.js compiles each grammar on its first use (0.2–45 ms each in Node, Java the most). So, in idle slices:
// warm renders of an ASCII and a two-byte sample, then the highlighter's chunk, then one grammar at a time, as many
// as fit in each slice. When done it leaves the performance mark RENDERER_WARM_MARK (the long-task test reads it).
import { compileHighlighterLanguage, highlighterLanguages, loadHighlighter } from './highlight';
import { warmUpRenderer } from './markdown';

export const RENDERER_WARM_MARK = 'answer-renderer-warm';

/** Every block type an answer commonly has; the code block has no language, so nothing lands in a cache. */
const LATIN1_SAMPLE = [
  '## Heading',
  'A paragraph with *emphasis*, **strong**, `code`, ~~struck~~ text and a [link](https://example.com).',
  '- a list\n- [x] with a task\n\n1. and numbers',
  '| a | b |\n|:-|-:|\n| 1 | 2 |',
  '> a quote',
  '```\nplain code\n```',
  '<b>raw html</b> &amp; an https://example.org autolink',
].join('\n\n');
const TWO_BYTE_SAMPLE = `${LATIN1_SAMPLE}\n\nTypographic “quotes” — dashes… ’apostrophes’, 👋 and 漢字, *“emphasised”*.`;

/** Leave this much of an idle slice unused, so a step that overruns it does not delay the next frame. */
const SLICE_MARGIN_MS = 8;
const IDLE_TIMEOUT_MS = 5000;

type Step = () => void | Promise<void>;

function nextIdle(): Promise<IdleDeadline | undefined> {
  return new Promise((resolve) => {
    if ('requestIdleCallback' in window) window.requestIdleCallback(resolve, { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(() => resolve(undefined), 3000);
  });
}

/** Runs the steps in idle slices: at least one per slice, more while the slice has time left. */
async function runWhenIdle(steps: Step[]): Promise<void> {
  while (steps.length > 0) {
    const deadline = await nextIdle();
    do {
      const step = steps.shift();
      if (step) await step();
    } while (steps.length > 0 && deadline !== undefined && deadline.timeRemaining() > SLICE_MARGIN_MS);
  }
}

let started = false;

/** Starts the warm-up once per page; returns at once (the work happens in idle time). */
export function warmRendererWhenIdle(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  const grammars: Step = () => runWhenIdle(highlighterLanguages().map((language) => () => compileHighlighterLanguage(language)));
  // Each sample twice: V8 moves a regular expression to native code on its second run.
  const samples = [LATIN1_SAMPLE, TWO_BYTE_SAMPLE, LATIN1_SAMPLE, TWO_BYTE_SAMPLE].map((sample) => () => warmUpRenderer(sample));
  void runWhenIdle([...samples, () => loadHighlighter(), grammars])
    .then(() => performance.mark(RENDERER_WARM_MARK))
    .catch((error: unknown) => console.warn('[render-warmup] the warm-up stopped; the first answer pays for it', error));
}
