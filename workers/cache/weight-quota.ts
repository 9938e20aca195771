// The QuotaExceeded error of the weight store: what did not fit, how much more was needed, how much this site may
// still use (the browser's estimate), and what to free. The advice itself is the error table's (common/errors.ts).
import { engineError, type EngineError } from '../errors';

export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

export function sizeText(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * "X free of Y this site may use", or '' where the browser does not say, or says there is room for `neededBytes`
 * after all (a quota forced by DevTools is enforced but not reported, so the figure would then mislead).
 */
async function availableText(neededBytes: number): Promise<string> {
  const storage: StorageManager | undefined = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (typeof storage?.estimate !== 'function') return '';
  try {
    const { usage, quota } = await storage.estimate();
    if (quota === undefined || usage === undefined || quota - usage >= neededBytes) return '';
    return `; ${sizeText(Math.max(0, quota - usage))} free of the ${sizeText(quota)} this site may use`;
  } catch {
    return '';
  }
}

/**
 * `refused` says what did not fit (the file and the bytes of that write), `neededBytes` how much more the whole file
 * needs, `kept` what of it stays stored (a resumable download's chunks). The advice says what to free.
 */
export async function quotaExceeded(refused: string, neededBytes: number, kept: string, cause: unknown): Promise<EngineError> {
  const detail = `${refused}, ${sizeText(neededBytes)} more are needed${await availableText(neededBytes)}; ${kept}`;
  return engineError('QuotaExceeded', detail, cause);
}
