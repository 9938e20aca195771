// Every error a view can show, by name: the worker's (common/errors.ts), the remote side's (remote/errors.ts) and
// the page's own, below. A failure the user would act on reaches the view as a ShownError: its name says which
// case it is (views and tests branch on it), its message says what happened and what to do.
import { isEngineErrorName, type EngineErrorName } from '../../common/errors';
import { REMOTE_ERROR_NAMES, type RemoteErrorName } from './remote/errors';

/** Failures of the page's own storage and settings, each with the advice the user reads. */
export const PAGE_ADVICE = {
  ConversationNotSaved:
    'This conversation could not be saved on this device. It stays open here, and the app tries to save it again by itself every few seconds (and with your next message); free space in the storage panel if the disk is full.',
  ConversationsUnreadable:
    'Some saved conversations could not be read and were left out. The others are shown; export them to keep a copy.',
  ConversationNotDeleted:
    'The conversation could not be deleted from this device, so it may come back after a reload. Delete it again then.',
  CacheUnreadable: 'The list of stored models could not be read, so it may be incomplete. Reload the page to try again.',
  DeleteFailed: 'The model could not be deleted. Reload the page and try again; the files stay until then.',
  ModelDeletedInOtherTab:
    'Another tab of this app deleted this model’s files from this device, so it was unloaded here. Your conversation is kept; press Retry to download the model again.',
  InvalidRepoId: 'A model repo in the settings is not of the form organisation/name and was left out. Add it again.',
} as const;

export type PageErrorName = keyof typeof PAGE_ADVICE;

export type AppErrorName = EngineErrorName | RemoteErrorName | PageErrorName;

/** An error as a view shows it. */
export interface ShownError {
  name: AppErrorName;
  message: string;
}

/** A page error with its advice, and the detail (what the browser said) after it. */
export function pageError(name: PageErrorName, detail?: string): ShownError {
  return { name, message: detail ? `${PAGE_ADVICE[name]} (${detail})` : PAGE_ADVICE[name] };
}

export function isAppErrorName(name: unknown): name is AppErrorName {
  if (typeof name !== 'string') return false;
  return isEngineErrorName(name) || (REMOTE_ERROR_NAMES as readonly string[]).includes(name) || name in PAGE_ADVICE;
}
