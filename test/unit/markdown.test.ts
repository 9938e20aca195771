// @vitest-environment jsdom
// The Markdown + sanitiser pipeline in jsdom: GitHub-flavoured rendering (tables, lists, code fences with a Copy
// button, task lists), links and images, raw HTML shown as text, the XSS corpus through renderMarkdown, and the
// sanitiser alone on raw HTML (the second line of defence, should marked ever pass markup through).
import { afterEach, describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdown, renderMarkdownBlocks, safeUrl, sanitizeHtml, setHighlighter } from '../../src/lib/markdown';
import { SAMPLE_ANSWER } from '../fixtures/sample-answer';
import { findUnsafe, XSS_PAYLOADS } from '../fixtures/xss-payloads';

function fragment(html: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = html;
  return root;
}

afterEach(() => setHighlighter(undefined));

describe('renderMarkdown', () => {
  it('renders a GFM table, lists and emphasis', () => {
    const root = fragment(renderMarkdown('# Title\n\n| a | b |\n|:-|-:|\n| 1 | **2** |\n\n- one\n- two\n\n1. first\n2. second'));
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelectorAll('table th')).toHaveLength(2);
    expect(root.querySelector('td strong')?.textContent).toBe('2');
    expect(root.querySelectorAll('ul li')).toHaveLength(2);
    expect(root.querySelectorAll('ol li')).toHaveLength(2);
  });

  it('renders a fenced code block with its language, a Copy button and the code as text', () => {
    const root = fragment(renderMarkdown('```python\nprint("<b>hi</b>")\n```'));
    expect(root.querySelector('.code-lang')?.textContent).toBe('python');
    const button = root.querySelector('button.copy-code');
    expect(button?.getAttribute('type')).toBe('button');
    expect(button?.getAttribute('aria-label')).toBe('Copy python code');
    expect(root.querySelector('pre code.language-python')?.textContent).toBe('print("<b>hi</b>")');
    expect(root.querySelector('b')).toBeNull();
  });

  it('uses the highlighter once one is set, and still sanitises what it returns', () => {
    setHighlighter((code) => `<span class="hljs-keyword">${escapeHtml(code)}</span><img src=x onerror="alert(1)">`);
    const root = fragment(renderMarkdown('```js\nconst x = 1;\n```'));
    expect(root.querySelector('code .hljs-keyword')?.textContent).toBe('const x = 1;');
    expect(findUnsafe(root)).toEqual([]);
  });

  it('shows task lists as check marks, not form controls', () => {
    const root = fragment(renderMarkdown('- [x] done\n- [ ] to do'));
    expect(root.querySelector('input')).toBeNull();
    expect(root.textContent).toContain('☑ done');
    expect(root.textContent).toContain('☐ to do');
  });

  it('opens http links in a new tab without an opener, and never loads images', () => {
    const root = fragment(renderMarkdown('[site](https://example.com) ![a cat](https://example.com/cat.png)'));
    const links = root.querySelectorAll('a');
    expect(links[0]?.getAttribute('href')).toBe('https://example.com');
    expect(links[0]?.getAttribute('target')).toBe('_blank');
    expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(root.querySelector('img')).toBeNull();
    expect(links[1]?.textContent).toBe('[Image: a cat]');
  });

  it('shows raw HTML as text', () => {
    const root = fragment(renderMarkdown('Use the <br> tag and <div class="x">this</div>.'));
    expect(root.textContent).toContain('<br>');
    expect(root.querySelector('br')).toBeNull();
    expect(root.querySelector('div.x')).toBeNull();
  });

  it('renders nothing for blank text', () => {
    expect(renderMarkdown('  \n ')).toBe('');
  });
});

describe('streaming cost', () => {
  it('renders blocks that join to the same HTML as the whole text, and reuses unchanged blocks', () => {
    const blocks = renderMarkdownBlocks(SAMPLE_ANSWER);
    expect(blocks.length).toBeGreaterThan(4);
    expect(blocks.join('')).toBe(renderMarkdown(SAMPLE_ANSWER));
    const grown = renderMarkdownBlocks(`${SAMPLE_ANSWER}\n\nOne more paragraph`);
    expect(grown.slice(0, blocks.length - 1)).toEqual(blocks.slice(0, -1));
  });
});

describe('safeUrl', () => {
  it('allows http(s) and mailto only, after the whitespace browsers strip', () => {
    expect(safeUrl('https://example.com/a')).toBe('https://example.com/a');
    expect(safeUrl('mailto:a@example.com')).toBe('mailto:a@example.com');
    expect(safeUrl('java\tscript:alert(1)')).toBeUndefined();
    expect(safeUrl(' \u0001javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(safeUrl('/relative')).toBeUndefined();
  });
});

describe('the XSS corpus', () => {
  it('has at least 110 payloads', () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(110);
  });

  it.each(XSS_PAYLOADS.map((payload, index) => [index + 1, payload] as const))(
    'payload %i renders as inert markup through renderMarkdown',
    (_index, payload) => {
      const root = fragment(renderMarkdown(payload));
      expect(findUnsafe(root)).toEqual([]);
    },
  );

  it.each(XSS_PAYLOADS.map((payload, index) => [index + 1, payload] as const))(
    'payload %i is defused by the sanitiser alone, as raw HTML',
    (_index, payload) => {
      const root = fragment(sanitizeHtml(payload));
      expect(findUnsafe(root)).toEqual([]);
    },
  );

  it('the detector itself flags the raw payloads (so an empty finding means the sanitiser worked)', () => {
    const flagged = XSS_PAYLOADS.filter((payload) => findUnsafe(fragment(payload)).length > 0);
    // Markdown-only payloads (links, references, fences) are plain text as raw HTML; every HTML one is flagged.
    expect(flagged.length).toBeGreaterThan(XSS_PAYLOADS.length / 2);
  });

  it('leaves no id or name that clobbers a global once every sanitised payload is in the document', () => {
    const host = document.createElement('div');
    document.body.append(host);
    host.innerHTML = XSS_PAYLOADS.map((payload) => sanitizeHtml(payload) + renderMarkdown(payload)).join('');
    try {
      expect(host.querySelectorAll('[id], [name], [data-testid]')).toHaveLength(0);
      expect(Reflect.get(window, '__xss')).toBeUndefined();
      expect(typeof document.getElementById).toBe('function');
      expect(Reflect.get(document, 'cookie')).toBeTypeOf('string');
      expect(document.getElementById('app')).toBeNull();
      expect(Reflect.get(window, 'location')).toBe(window.location);
    } finally {
      host.remove();
    }
  });
});
