// The app's Content-Security-Policy, in two layers (docs: README "Hosting").
// 1. The header policy, sent with every response (vite preview/dev, and any host that serves the build): scripts
//    from the app's origin only, plus 'wasm-unsafe-eval' (ONNX Runtime, llama.cpp and web-llm compile WebAssembly),
//    workers from the origin or blob: (wllama starts its worker from a blob URL, and Emscripten's threads start from
//    that blob again), no inline script, no plugins, frames, forms or <base>. Its connect-src names schemes only,
//    since the model host and the endpoint are runtime settings the server cannot know; it is also the only policy
//    the inference worker gets (a dedicated worker loaded from a URL takes the policy of its own response).
// 2. The page policy, a <meta http-equiv> the page adds at start (src/lib/csp-page.ts) from the stored settings:
//    connect-src narrowed to the app, the model host or mirror and the endpoint the user set, and Trusted Types.
//    Policies only ever add restrictions, so a host changed later needs a reload to be reachable from the page.
// Untrusted content (model output, imported conversations) is rendered only in the page, so the page is where
// exfiltration is stopped; the worker renders nothing.

/** Hosts the public model host sends its files from (redirects; each hop is checked against connect-src). */
const HUB_FILE_HOSTS: Readonly<Record<string, readonly string[]>> = {
  'huggingface.co': ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'],
};

/** Local servers (a mirror, llama-server, Ollama, the test fixtures): reachable only from this machine. */
const LOOPBACK_SOURCES = ['http://localhost:*', 'http://127.0.0.1:*'];

/** Trusted Types policies the page may create: Svelte's for its templates, DOMPurify's, and the app's default. */
export const TRUSTED_TYPES_POLICIES = ['svelte-trusted-html', 'dompurify', 'default'] as const;

function serialise(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

const COMMON: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'", 'blob:'],
  // Svelte sets style attributes and its transitions add <style> elements; the sanitiser lets no style through from
  // model output, so inline style stays allowed rather than breaking the view.
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'media-src': ["'self'", 'data:', 'blob:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export interface HeaderPolicyOptions {
  /** Where violations are reported (report-uri); none when undefined. */
  reportUri?: string;
  /** The dev server's HMR socket needs ws: on top. */
  dev?: boolean;
}

/** The header-level policy: what any host serving the build sends (README "Hosting"). */
export function headerPolicy(options: HeaderPolicyOptions = {}): string {
  const directives: Record<string, readonly string[]> = {
    ...COMMON,
    'connect-src': ["'self'", 'https:', 'http:', 'data:', 'blob:', ...(options.dev ? ['ws:'] : [])],
    'frame-ancestors': ["'none'"],
  };
  // report-uri only: Chrome ignores report-uri once report-to is present, and sends report-to's reports batched,
  // up to a minute later; report-uri posts each violation at once (application/csp-report).
  if (options.reportUri !== undefined) directives['report-uri'] = [options.reportUri];
  return serialise(directives);
}

/** The headers the app is served with: cross-origin isolation, the policy, and where its reports go. */
export function securityHeaders(options: HeaderPolicyOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Content-Security-Policy': headerPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  return headers;
}

/** `scheme://host[:port]` of an http(s) URL, or undefined for anything else (a typo, another scheme). */
export function originOf(address: string): string | undefined {
  try {
    const url = new URL(address.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export interface PagePolicyInput {
  /** The model host or mirror the user set. */
  modelBaseUrl: string;
  /** The remote endpoints the user set (the comparison endpoint). */
  endpoints: readonly string[];
  /** The dev server's HMR socket (ws://host). */
  devSocket?: string;
}

/** The origins the page may connect to: the app, the model host (and its file hosts), the endpoints, loopback. */
export function pageConnectSources(input: PagePolicyInput): string[] {
  const sources = new Set<string>(["'self'", 'data:', 'blob:', ...LOOPBACK_SOURCES]);
  const model = originOf(input.modelBaseUrl);
  if (model) {
    sources.add(model);
    for (const host of HUB_FILE_HOSTS[new URL(model).hostname] ?? []) sources.add(host);
  }
  for (const endpoint of input.endpoints) {
    const origin = originOf(endpoint);
    if (origin) sources.add(origin);
  }
  if (input.devSocket) sources.add(input.devSocket);
  return [...sources];
}

/** The page policy the app adds as a <meta> at start (report-uri, report-to and frame-ancestors are header-only). */
export function pagePolicy(input: PagePolicyInput): string {
  return serialise({
    ...COMMON,
    'connect-src': pageConnectSources(input),
    'require-trusted-types-for': ["'script'"],
    'trusted-types': [...TRUSTED_TYPES_POLICIES, "'allow-duplicates'"],
  });
}

/** Whether the page policy built from `input` already lets the page reach `address` (no reload needed). */
export function pagePolicyAllows(input: PagePolicyInput, address: string): boolean {
  const origin = originOf(address);
  if (origin === undefined) return true; // Not a URL the page could fetch: nothing to allow.
  const url = new URL(origin);
  if (LOOPBACK_SOURCES.some((source) => source.startsWith(`${url.protocol}//${url.hostname}:`))) return true;
  return pageConnectSources(input).some((source) => {
    if (source === origin) return true;
    const wildcard = /^https:\/\/\*\.(.+)$/.exec(source);
    return wildcard !== null && url.protocol === 'https:' && url.hostname.endsWith(`.${wildcard[1] ?? ''}`);
  });
}
