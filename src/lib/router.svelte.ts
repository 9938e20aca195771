// The shell's hash router: which view is shown, read from location.hash (`#/`, `#/compare`, `#/benchmark`,
// `#/scorecard`, `#/storage`). A later view is one entry in ROUTES; a hash that names no route shows the chat, so an old or
// mistyped link never lands on a blank page.
export const ROUTES = [
  { id: 'chat', path: '/', label: 'Chat' },
  { id: 'compare', path: '/compare', label: 'Compare' },
  { id: 'scorecard', path: '/scorecard', label: 'Scorecard' },
  { id: 'benchmark', path: '/benchmark', label: 'Benchmark' },
  { id: 'storage', path: '/storage', label: 'Storage' },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteId = Route['id'];

const CHAT: Route = ROUTES[0];

/** The route a hash names, or the chat for anything else (empty, `#`, unknown paths). */
export function routeFromHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  return ROUTES.find((route) => route.path === path) ?? CHAT;
}

export function hrefOf(id: RouteId): string {
  return `#${ROUTES.find((route) => route.id === id)?.path ?? '/'}`;
}

export class Router {
  #current = $state<Route>(CHAT);

  get current(): Route {
    return this.#current;
  }

  /** Follows location.hash from now on; returns the function that stops following it. */
  start(): () => void {
    const sync = (): void => {
      this.#current = routeFromHash(location.hash);
    };
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }

  navigate(id: RouteId): void {
    const href = hrefOf(id);
    if (location.hash !== href) location.hash = href;
    this.#current = routeFromHash(href);
  }
}
