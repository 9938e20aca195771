// Syntax highlighting for code blocks, loaded on first use so the page's initial script stays small: highlight.js
// core with the languages small models write most. Unknown languages stay plain (no auto-detection: it would run
// every registered grammar on every streamed frame). The output is HTML that markdown.ts still sanitises. The
// chunk is warmed when the page is first idle, so loading and compiling it never lands in the middle of an answer.
import { hasHighlighter, setHighlighter } from './markdown';

let loading: Promise<void> | undefined;

export function loadHighlighter(): Promise<void> {
  if (hasHighlighter()) return Promise.resolve();
  loading ??= (async () => {
    const [core, languages] = await Promise.all([import('highlight.js/lib/core'), import('./highlight-languages')]);
    const hljs = core.default;
    for (const [name, language] of languages.LANGUAGES) hljs.registerLanguage(name, language);
    setHighlighter((code, language) =>
      hljs.getLanguage(language) ? hljs.highlight(code, { language, ignoreIllegals: true }).value : undefined,
    );
  })().catch((error: unknown) => {
    loading = undefined;
    console.warn('[highlight] could not load the highlighter; code stays plain', error);
  });
  return loading;
}

let warmed = false;

/** Loads the highlighter once the browser is idle (or after a few seconds), at most once per page. */
export function warmHighlighterWhenIdle(): void {
  if (warmed || typeof window === 'undefined') return;
  warmed = true;
  const load = (): void => void loadHighlighter();
  if ('requestIdleCallback' in window) window.requestIdleCallback(load, { timeout: 5000 });
  else setTimeout(load, 3000);
}
