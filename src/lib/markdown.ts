// Untrusted text (model output, imported conversations) to safe HTML: GitHub-flavoured Markdown with marked, then
// DOMPurify with a strict allow-list. Invariants: raw HTML in the text is shown as text, never parsed as markup;
// links go only to http(s) or mailto and open in a new tab without an opener; images are never loaded (a model
// could be steered into leaking the conversation through an image URL), they become links the user may follow;
// nothing that can run script or carry style survives the sanitiser, whatever marked or the highlighter emit.
// Streaming-friendly: the text is split into top-level blocks (paragraph, list, table, code fence, …) and each
// block's sanitised HTML is cached by its source, so while an answer grows only its last block is rendered again,
// and the view replaces only that block's DOM.
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';
import { Marked, type Token, type Tokens } from 'marked';

/** Returns highlighted HTML for `code` (already escaped by the highlighter), or undefined to show it plain. */
export type Highlighter = (code: string, language: string) => string | undefined;

let highlighter: Highlighter | undefined;
const highlightCache = new Map<string, string>();
const HIGHLIGHT_CACHE_SIZE = 200;

export function setHighlighter(next: Highlighter | undefined): void {
  highlighter = next;
  highlightCache.clear();
  blockCache.clear();
}

export function hasHighlighter(): boolean {
  return highlighter !== undefined;
}

const SAFE_URL = /^(?:https?:|mailto:)/i;

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A URL the renderer may put in an href: http(s) or mailto only, after the browser's own whitespace stripping. */
export function safeUrl(href: string): string | undefined {
  // Browsers drop ASCII tab/newline anywhere in a URL and leading control characters and spaces.
  let cleaned = href.replace(/[\t\n\r]/g, '');
  let start = 0;
  while (start < cleaned.length && cleaned.charCodeAt(start) <= 0x20) start += 1;
  cleaned = cleaned.slice(start);
  return SAFE_URL.test(cleaned) ? cleaned : undefined;
}

function highlighted(code: string, language: string): string {
  if (!highlighter || language === '') return escapeHtml(code);
  const key = `${language}\u0000${code}`;
  const cached = highlightCache.get(key);
  if (cached !== undefined) return cached;
  const html = highlighter(code, language) ?? escapeHtml(code);
  if (highlightCache.size >= HIGHLIGHT_CACHE_SIZE) {
    const oldest = highlightCache.keys().next();
    if (!oldest.done) highlightCache.delete(oldest.value);
  }
  highlightCache.set(key, html);
  return html;
}

function languageOf(lang: string | undefined): string {
  const first = (lang ?? '').trim().split(/\s+/)[0] ?? '';
  return /^[\w+#.-]{1,32}$/.test(first) ? first.toLowerCase() : '';
}

const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({
  renderer: {
    // Raw HTML from the model is text to show, not markup to build.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    code({ text, lang }: Tokens.Code): string {
      const language = languageOf(lang);
      const label = language || 'text';
      return (
        `<div class="code-block"><div class="code-head"><span class="code-lang">${escapeHtml(label)}</span>` +
        `<button type="button" class="copy-code" aria-label="Copy ${escapeHtml(label)} code">Copy</button></div>` +
        `<pre><code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${highlighted(text, language)}</code></pre></div>`
      );
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const url = safeUrl(href);
      if (url === undefined) return inner;
      const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(url)}"${titleAttr}>${inner}</a>`;
    },
    image({ href, text }: Tokens.Image): string {
      const label = `Image: ${text.trim() || 'untitled'}`;
      const url = safeUrl(href);
      if (url === undefined) return `<span class="image-ref">[${escapeHtml(label)}]</span>`;
      return `<a class="image-ref" href="${escapeHtml(url)}">[${escapeHtml(label)}]</a>`;
    },
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<span class="task">${checked ? '☑' : '☐'}</span> `;
    },
  },
});

const ALLOWED_TAGS = [
  'a', 'blockquote', 'br', 'button', 'code', 'del', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li',
  'ol', 'p', 'pre', 's', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'align', 'start', 'type'];

const PURIFY_CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: true,
  ALLOWED_URI_REGEXP: SAFE_URL,
  FORBID_TAGS: ['style', 'script', 'iframe', 'form', 'input', 'textarea', 'select', 'img', 'svg', 'math', 'object', 'embed'],
  FORBID_ATTR: ['style', 'id', 'name'],
  SAFE_FOR_TEMPLATES: false,
};

// Our own instance, configured once: DOMPurify otherwise parses the whole config again on every call, and a
// streamed answer sanitises its last block on every frame. Nothing else shares this instance's config or hooks.
let purifier: Purifier | undefined;
function configuredPurifier(): Purifier {
  if (purifier) return purifier;
  const instance = DOMPurify();
  instance.setConfig(PURIFY_CONFIG);
  instance.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href');
      if (href === null || safeUrl(href) === undefined) node.removeAttribute('href');
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    if (node.tagName === 'BUTTON') node.setAttribute('type', 'button');
    // Code and tables scroll sideways on narrow screens: keyboard users must be able to focus them to scroll.
    if (node.tagName === 'PRE' || node.tagName === 'TABLE') node.setAttribute('tabindex', '0');
  });
  purifier = instance;
  return instance;
}

// What the sanitiser returned lately: the Trusted Types default policy (csp-page.ts) passes these through unchanged
// instead of sanitising each streamed block a second time (sanitising its own output gives the same string).
const recentOutputs = new Set<string>();
const RECENT_OUTPUTS_SIZE = 800;

/** Sanitises HTML with the app's allow-list (no script, style, event handler, form, frame or non-http(s) URL). */
export function sanitizeHtml(html: string): string {
  const clean = configuredPurifier().sanitize(html);
  if (recentOutputs.size >= RECENT_OUTPUTS_SIZE) {
    const oldest = recentOutputs.values().next();
    if (!oldest.done) recentOutputs.delete(oldest.value);
  }
  recentOutputs.add(clean);
  return clean;
}

/** Whether `html` is exactly what the sanitiser returned for some recent input (so it is already safe). */
export function isSanitizerOutput(html: string): boolean {
  return recentOutputs.has(html);
}

const blockCache = new Map<string, string>();
const BLOCK_CACHE_SIZE = 400;

function renderBlock(token: Token): string {
  // The highlighter's presence is part of the key: a code block rendered plain is rendered again once it loads.
  const key = `${highlighter ? 'h' : 'p'}${token.raw}`;
  const cached = blockCache.get(key);
  if (cached !== undefined) {
    // Refresh its place so the blocks of the answer being streamed stay cached.
    blockCache.delete(key);
    blockCache.set(key, cached);
    return cached;
  }
  const html = sanitizeHtml(markdown.parser([token]));
  if (blockCache.size >= BLOCK_CACHE_SIZE) {
    const oldest = blockCache.keys().next();
    if (!oldest.done) blockCache.delete(oldest.value);
  }
  blockCache.set(key, html);
  return html;
}

/**
 * Markdown (untrusted) to sanitised HTML, one string per top-level block, each ready for `{@html}`. Inline
 * references (`[text][ref]`) are resolved when the whole text is lexed, so rendering a block alone is exact.
 */
export function renderMarkdownBlocks(text: string): string[] {
  if (text.trim() === '') return [];
  return markdown
    .lexer(text)
    .filter((token) => token.type !== 'space' && token.type !== 'def')
    .map(renderBlock)
    .filter((html) => html !== '');
}

/**
 * Runs the whole pipeline (marked's lexer and renderer, DOMPurify) once on `sample` without caching anything: V8
 * compiles their functions and regular expressions on first use, and that first run belongs in idle time, not in
 * the frame where an answer's first text appears (render-warmup.ts).
 */
export function warmUpRenderer(sample: string): void {
  for (const token of markdown.lexer(sample)) sanitizeHtml(markdown.parser([token]));
}

/** Markdown (untrusted) to sanitised HTML, as one string. */
export function renderMarkdown(text: string): string {
  return renderMarkdownBlocks(text).join('');
}
