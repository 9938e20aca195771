// What the welcome may ask of the shell around it: opening the model settings ("Choose another model"). The shell
// provides it by context; where no shell does, the welcome leaves the button out rather than offer a dead one.
// Invariant: both calls run during component initialisation (Svelte's setContext/getContext rule).
import { getContext, setContext } from 'svelte';

const CHOOSE_MODEL = Symbol('welcome-choose-model');

/** Called by the shell (an ancestor of the chat) with the function that opens the model settings. */
export function setChooseModel(open: () => void): void {
  setContext(CHOOSE_MODEL, open);
}

/** The function that opens the model settings, when an ancestor provided one. */
export function getChooseModel(): (() => void) | undefined {
  return getContext<(() => void) | undefined>(CHOOSE_MODEL);
}
