// Installs the page's own Content-Security-Policy at start, before the app's UI code is imported (common/csp.ts says
// why there are two layers). A <meta http-equiv> added by script applies from the moment it is in <head>, to
// everything the page fetches or runs afterwards; it cannot loosen the header policy, and a later, looser <meta>
// would not loosen it either, so a host the user changes later is reachable only after a reload
// (`needsReloadFor`). Trusted Types: Svelte creates its own policy for its templates; the app's `default` policy
// lets through HTML the sanitiser has just returned (the `{@html}` blocks) and sends any other HTML string through
// the sanitiser (so it loses script), refuses script text, and lets only this origin's script URLs through (the
// inference worker, the service worker).
import { pagePolicy, pagePolicyAllows, type PagePolicyInput } from '../../common/csp';
import { DEFAULT_MODEL_BASE_URL } from '../../common/model-urls';
import { isSanitizerOutput, sanitizeHtml } from './markdown';
import { defaultSettings, parseSettings } from './settings';
import { loadSettings } from './storage';
import type { Settings } from './types';

let installed: PagePolicyInput | undefined;

export function policyInputFor(settings: Settings, devSocket?: string): PagePolicyInput {
  return { modelBaseUrl: settings.modelBaseUrl, endpoints: settings.compare.sides.map((side) => side.endpoint), devSocket };
}

/** Whether the installed page policy does not let the page reach `address` (then a reload applies it). */
export function outsidePagePolicy(address: string): boolean {
  return installed !== undefined && !pagePolicyAllows(installed, address);
}


function sameOriginScriptUrl(url: string): string | null {
  try {
    const parsed = new URL(url, location.href);
    if (parsed.origin === location.origin) return url;
    if (parsed.protocol === 'blob:' && url.startsWith(`blob:${location.origin}/`)) return url;
  } catch {
    // Not a URL: refused below.
  }
  console.warn('[csp] refused a script URL from another origin', url);
  return null;
}

/** The part of the Trusted Types API used here (TypeScript's DOM types do not have it yet). */
interface TrustedTypesFactory {
  createPolicy(
    name: string,
    rules: { createHTML(html: string): string; createScript(): null; createScriptURL(url: string): string | null },
  ): unknown;
}

let sanitising = false;

/**
 * The default policy's HTML rule: the sanitiser, except for a string it has just produced (each rendered block).
 * Re-entered only by DOMPurify parsing into an inert document.
 */
function sanitiseForSink(html: string): string {
  if (sanitising || isSanitizerOutput(html)) return html;
  sanitising = true;
  try {
    return sanitizeHtml(html);
  } finally {
    sanitising = false;
  }
}

function installTrustedTypes(): void {
  const factory: unknown = Reflect.get(window, 'trustedTypes');
  if (typeof factory !== 'object' || factory === null) return; // No Trusted Types here: the sanitiser alone guards {@html}.
  (factory as TrustedTypesFactory).createPolicy('default', {
    createHTML: sanitiseForSink,
    createScript: () => null,
    createScriptURL: sameOriginScriptUrl,
  });
}

/** A violation is logged with what was blocked, so a tester or a bug report can see it. */
function logViolation(event: SecurityPolicyViolationEvent): void {
  console.warn(`[csp] blocked ${event.effectiveDirective}: ${event.blockedURI || '(inline)'}${event.disposition === 'report' ? ' (report only)' : ''}`);
}

/** Reads the stored settings and adds the page policy to <head>. Call once, before the UI is imported. */
export async function installPagePolicy(): Promise<void> {
  if (installed) return;
  let settings = defaultSettings(DEFAULT_MODEL_BASE_URL);
  try {
    settings = parseSettings(await loadSettings(), settings);
  } catch (error) {
    console.warn('[csp] could not read stored settings; the page policy uses the defaults', error);
  }
  const devSocket = import.meta.env.DEV ? `ws://${location.host}` : undefined;
  installed = policyInputFor(settings, devSocket);
  document.addEventListener('securitypolicyviolation', logViolation);
  installTrustedTypes();
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = pagePolicy(installed);
  meta.dataset.testid = 'page-csp';
  document.head.prepend(meta);
}
