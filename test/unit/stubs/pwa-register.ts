// Stands in for vite-plugin-pwa's `virtual:pwa-register` in node, where the plugin does not run; the tests hand
// PwaState their own register function, so this one must never be called.
export function registerSW(): (reloadPage?: boolean) => Promise<void> {
  throw new Error('registerSW stub called: pass a fake register to PwaState.start()');
}
