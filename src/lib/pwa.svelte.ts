// The app shell's offline state: registers the service worker (vite-plugin-pwa's `virtual:pwa-register`), says
// when everything the app needs to start is cached ("offline-ready"), and holds a new version back until the user
// accepts it. Invariant: an update is applied only by `applyUpdate()`, which activates the waiting service worker
// and then reloads, so a page never runs half old, half new code.
import { registerSW } from 'virtual:pwa-register';

/** 'development': the dev server (`npm run dev`), which has no service worker, so no offline copy is made. */
export type ShellState = 'development' | 'unsupported' | 'installing' | 'offline-ready' | 'failed';

export const APP_VERSION: string = __APP_VERSION__;

/** How the shell registers its service worker; tests hand in a fake. */
export type Register = typeof registerSW;

export class PwaState {
  #shell = $state<ShellState>('installing');
  #updateAvailable = $state(false);
  #updating = $state(false);
  #applyUpdate: (reloadPage?: boolean) => Promise<void> = async () => undefined;

  /** Registers the service worker; does nothing where the browser has none (or over plain http off localhost). */
  start(register: Register = registerSW, development: boolean = import.meta.env.DEV): void {
    if (development) {
      this.#shell = 'development';
      return;
    }
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) {
      this.#shell = 'unsupported';
      return;
    }
    this.#applyUpdate = register({
      immediate: true,
      onOfflineReady: () => {
        this.#shell = 'offline-ready';
      },
      onNeedRefresh: () => {
        this.#updateAvailable = true;
      },
      onRegisteredSW: (_url, registration) => {
        // On later visits the precache is already complete: an active worker means every file is stored.
        if (registration?.active) this.#shell = 'offline-ready';
      },
      onRegisterError: (error: unknown) => {
        console.error('[pwa] service worker registration failed', error);
        this.#shell = 'failed';
      },
    });
  }

  get shell(): ShellState {
    return this.#shell;
  }
  get updateAvailable(): boolean {
    return this.#updateAvailable;
  }
  get updating(): boolean {
    return this.#updating;
  }

  /** Activates the waiting version and reloads the page into it. */
  async applyUpdate(): Promise<void> {
    this.#updating = true;
    try {
      await this.#applyUpdate(true);
    } catch (error) {
      console.error('[pwa] could not apply the update', error);
      this.#updating = false;
    }
  }

  /** Keeps the running version until the next visit. */
  dismissUpdate(): void {
    this.#updateAvailable = false;
  }
}
