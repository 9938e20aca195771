// The shell's own state: whether the conversation list and the model-and-settings panel are open, whether the
// screen is wide enough to show them beside the chat, and the undo offer after a delete. Any view may call
// openSettings() (the welcome points there); the focus they return to is the element that was focused when they
// opened, so closing by Esc or the close button puts the user back where they were.
import { tick } from 'svelte';

export const WIDE_QUERY = '(min-width: 761px)';

type Overlay = 'settings' | 'conversations' | 'shortcuts';

export interface UndoOffer {
  message: string;
  undo: () => void | Promise<void>;
}

/** How long an undo offer stays on screen. */
export const UNDO_MS = 8000;

export class ShellState {
  #wide = $state(true);
  // On a wide screen both panels start open beside the chat; on a phone they are closed overlays.
  #open = $state<Record<Overlay, boolean>>({ conversations: true, settings: true, shortcuts: false });
  #undo = $state<UndoOffer | undefined>();
  #undoTimer: ReturnType<typeof setTimeout> | undefined;
  // Not reactive: only read when a panel closes.
  #returnFocus: Partial<Record<Overlay, HTMLElement>> = {};

  get wide(): boolean {
    return this.#wide;
  }
  get conversationsOpen(): boolean {
    return this.#open.conversations;
  }
  get settingsOpen(): boolean {
    return this.#open.settings;
  }
  get shortcutsOpen(): boolean {
    return this.#open.shortcuts;
  }
  get undo(): UndoOffer | undefined {
    return this.#undo;
  }

  /** Follows the screen width; returns the function that stops following it. */
  start(): () => void {
    const query = window.matchMedia(WIDE_QUERY);
    const sync = (): void => {
      this.#wide = query.matches;
      this.#open.conversations = query.matches;
      this.#open.settings = query.matches;
    };
    sync();
    query.addEventListener('change', sync);
    return () => query.removeEventListener('change', sync);
  }

  openSettings(): void {
    this.#show('settings');
  }
  closeSettings(): void {
    this.#hide('settings');
  }
  toggleSettings(): void {
    this.#toggle('settings');
  }

  openConversations(): void {
    this.#show('conversations');
  }
  closeConversations(): void {
    this.#hide('conversations');
  }
  toggleConversations(): void {
    this.#toggle('conversations');
  }
  /** After picking a conversation on a phone the drawer has done its job; beside the chat it stays. */
  conversationPicked(): void {
    if (!this.#wide) this.closeConversations();
  }

  openShortcuts(): void {
    this.#show('shortcuts');
  }
  closeShortcuts(): void {
    this.#hide('shortcuts');
  }

  /** Moves focus to the message box, closing an overlay that would hide it. */
  focusMessageBox(): void {
    if (!this.#wide) {
      this.#open.conversations = false;
      this.#open.settings = false;
    }
    this.#open.shortcuts = false;
    // After the overlays' DOM is gone (a closing modal dialog would take the focus back).
    void tick().then(() => document.getElementById('composer-input')?.focus());
  }

  offerUndo(offer: UndoOffer): void {
    this.dismissUndo();
    this.#undo = offer;
    this.#undoTimer = setTimeout(() => this.dismissUndo(), UNDO_MS);
  }
  async takeUndo(): Promise<void> {
    const offer = this.#undo;
    this.dismissUndo();
    await offer?.undo();
  }
  dismissUndo(): void {
    clearTimeout(this.#undoTimer);
    this.#undo = undefined;
  }

  /** Opens a panel, remembering where the focus was so closing can put it back. */
  #show(panel: Overlay): void {
    this.#remember(panel);
    this.#open[panel] = true;
  }
  #hide(panel: Overlay): void {
    this.#open[panel] = false;
    this.#restore(panel);
  }
  #toggle(panel: Overlay): void {
    if (this.#open[panel]) this.#hide(panel);
    else this.#show(panel);
  }

  #remember(panel: Overlay): void {
    if (document.activeElement instanceof HTMLElement) this.#returnFocus[panel] = document.activeElement;
  }
  #restore(panel: Overlay): void {
    const opener = this.#returnFocus[panel];
    delete this.#returnFocus[panel];
    if (opener) void tick().then(() => opener.isConnected && opener.focus());
  }
}
