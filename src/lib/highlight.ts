// Syntax highlighting for code blocks, loaded on first use so the page's initial script stays small: highlight.js
// core with the languages small models write most. Unknown languages stay plain (no auto-detection: it would run
// every registered grammar on every streamed frame). The output is HTML that markdown.ts still sanitises.
// highlight.js compiles a grammar the first time it is used (up to tens of milliseconds for the big ones), so
// render-warmup.ts loads the chunk and compiles the grammars one by one while the page is idle.
import { hasHighlighter, setHighlighter } from './markdown';

let loading: Promise<void> | undefined;
let compileGrammar: ((language: string) => void) | undefined;
let languageNames: readonly string[] = [];

export function loadHighlighter(): Promise<void> {
  if (hasHighlighter()) return Promise.resolve();
  loading ??= (async () => {
    const [core, languages] = await Promise.all([import('highlight.js/lib/core'), import('./highlight-languages')]);
    const hljs = core.default;
    for (const [name, language] of languages.LANGUAGES) hljs.registerLanguage(name, language);
    languageNames = languages.LANGUAGES.map(([name]) => name);
    compileGrammar = (language) => void hljs.highlight('x', { language, ignoreIllegals: true });
    setHighlighter((code, language) =>
      hljs.getLanguage(language) ? hljs.highlight(code, { language, ignoreIllegals: true }).value : undefined,
    );
  })().catch((error: unknown) => {
    loading = undefined;
    console.warn('[highlight] could not load the highlighter; code stays plain', error);
  });
  return loading;
}

/** The registered grammars' names, once the highlighter has loaded (empty before). */
export function highlighterLanguages(): readonly string[] {
  return languageNames;
}

/** Compiles one registered grammar now, so its first code block in an answer does not pay for it. */
export function compileHighlighterLanguage(language: string): void {
  compileGrammar?.(language);
}
