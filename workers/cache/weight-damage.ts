// What the weight store says about a stored file found damaged (its size or hash check failed) and removed: when the
// file's host answers, nothing (a miss, and the file is fetched again); when it cannot be reached, IntegrityMismatch
// naming the file, so the user reads which file and why instead of a bare "failed to fetch".
import { engineError, type EngineError } from '../errors';

/**
 * Whether the file's URL answers at all: any response counts (an HTTP error is the downloader's to report). The file
 * URL itself, with CORS, as the download will ask it: a host root may lack CORS headers, and a no-cors probe is
 * refused under the app's cross-origin isolation (COEP), both of which would read as unreachable.
 */
export async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

export function damagedOffline(file: string, origin: string): EngineError {
  return engineError('IntegrityMismatch', `${file}: the stored copy was damaged and was removed; it is fetched again once ${origin} can be reached`);
}
