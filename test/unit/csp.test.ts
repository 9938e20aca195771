// @vitest-environment jsdom
// The policy text (common/csp.ts): the header policy allows no inline script or eval, only this origin's scripts
// plus wasm compilation, workers from the origin or blob:; the page policy narrows connect-src to the hosts the user
// set and turns Trusted Types on; which host changes need a reload. And what the Trusted Types default policy relies
// on: the sanitiser is idempotent, and only its own recent output is recognised as already sanitised.
import { describe, expect, it } from 'vitest';
import { headerPolicy, originOf, pageConnectSources, pagePolicy, pagePolicyAllows, securityHeaders } from '../../common/csp';
import { isSanitizerOutput, renderMarkdownBlocks, sanitizeHtml } from '../../src/lib/markdown';
import { SAMPLE_ANSWER } from '../fixtures/sample-answer';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

const HUB = { modelBaseUrl: 'https://huggingface.co/', endpoints: ['https://api.openai.com/v1'] };

describe('the header policy', () => {
  const policy = directives(headerPolicy({ reportUri: 'https://example.com/csp' }));

  it('runs scripts from this origin only, with wasm compilation but no inline script or eval', () => {
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
    for (const values of policy.values()) {
      expect(values).not.toContain("'unsafe-eval'");
    }
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('refuses plugins, frames, forms and <base>, may not be framed, and reports where asked', () => {
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-src')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('report-uri')).toEqual(['https://example.com/csp']);
    expect(directives(headerPolicy()).has('report-uri')).toBe(false);
  });

  it('is sent with the isolation headers', () => {
    const headers = securityHeaders();
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(headers['Content-Security-Policy']).toBe(headerPolicy());
  });
});

describe('the page policy', () => {
  it('connects only to the app, the model host with its file hosts, the endpoint and loopback', () => {
    expect(pageConnectSources(HUB)).toEqual([
      "'self'", 'data:', 'blob:', 'http://localhost:*', 'http://127.0.0.1:*',
      'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co', 'https://api.openai.com',
    ]);
    const mirror = pageConnectSources({ modelBaseUrl: 'https://mirror.example.org/models/', endpoints: ['https://llm.example.net/v1'] });
    expect(mirror).toContain('https://mirror.example.org');
    expect(mirror).toContain('https://llm.example.net');
    expect(mirror.some((source) => source.includes('hf.co'))).toBe(false);
    expect(mirror).not.toContain('https:');
  });

  it('turns Trusted Types on for Svelte, DOMPurify and the default policy', () => {
    const policy = directives(pagePolicy(HUB));
    expect(policy.get('require-trusted-types-for')).toEqual(["'script'"]);
    expect(policy.get('trusted-types')).toEqual(['svelte-trusted-html', 'dompurify', 'default', "'allow-duplicates'"]);
    expect(policy.has('report-uri')).toBe(false);
  });

  it('drops what is not an http(s) address', () => {
    expect(originOf('javascript:alert(1)')).toBeUndefined();
    expect(originOf('not a url')).toBeUndefined();
    expect(pageConnectSources({ modelBaseUrl: 'ftp://x.example/', endpoints: ['data:text/html,x'] })).toHaveLength(5);
  });

  it('says which host changes need a reload', () => {
    expect(pagePolicyAllows(HUB, 'https://api.openai.com/v1')).toBe(true);
    expect(pagePolicyAllows(HUB, 'https://cas-bridge.xethub.hf.co/x')).toBe(true);
    expect(pagePolicyAllows(HUB, 'http://127.0.0.1:8591/v1')).toBe(true);
    expect(pagePolicyAllows(HUB, 'https://llm.example.net/v1')).toBe(false);
    expect(pagePolicyAllows(HUB, 'https://evilhf.co/')).toBe(false);
  });
});

describe('the sanitiser under the Trusted Types default policy', () => {
  it('gives the same HTML when it runs again on its own output', () => {
    const blocks = [...renderMarkdownBlocks(SAMPLE_ANSWER), ...XSS_PAYLOADS.flatMap((payload) => renderMarkdownBlocks(payload))];
    for (const html of blocks) expect(sanitizeHtml(html)).toBe(html);
  });

  it('lets through only strings the sanitiser returned itself', () => {
    for (const payload of XSS_PAYLOADS) {
      const clean = sanitizeHtml(payload);
      expect(isSanitizerOutput(clean)).toBe(true);
      // A payload that the sanitiser changed is not passed through as it was.
      if (clean !== payload) expect(isSanitizerOutput(payload)).toBe(false);
    }
    expect(isSanitizerOutput('<img src=x onerror=alert(1)>')).toBe(false);
  });
});
