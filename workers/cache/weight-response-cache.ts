// The Cache-API view of the weight store that transformers.js uses as `env.customCache`, for one model: URLs under
// the model's base URL map to its `<repo>/<file>` entries, others miss. transformers.js swallows what goes wrong in
// it (a failed `put` is a warning and the load goes on from memory; a failed `match` is a miss), so this view keeps
// what its caller must still be told: the first QuotaExceeded of a put. A stored file found damaged is removed and
// missed, so transformers.js fetches it again; when its host cannot be reached, the miss would end in a bare "failed
// to fetch", so the view answers with a body that fails with IntegrityMismatch naming the file instead (no byte of
// the damaged copy is ever handed over).
import { originOf } from '../../common/model-urls';
import { EngineError } from '../errors';
import { damagedOffline, reachable } from './weight-damage';

/** The subset of the Cache API that transformers.js's `env.customCache` calls, and what it cannot tell its caller. */
export interface ResponseCache {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  /**
   * transformers.js swallows errors of `put` (it logs a warning and loads from memory) and of `match` (a miss): the
   * first QuotaExceeded of a `put`, so a load that did not store its files can still fail with it.
   */
  storeFailure(): EngineError | undefined;
}

export interface CacheEvents {
  onHit?(file: string): void;
  onStored?(file: string, bytes: number): void;
  onStoreFailed?(file: string, error: Error): void;
  /** A stored file failed its size or hash check and was removed; transformers.js then fetches it again. */
  onDamaged?(file: string): void;
}

export interface ResponseCacheParts {
  /** Absolute URL prefix of the model's files (the base URL the engine fetches from). */
  remotePrefix: string;
  events: CacheEvents;
  /** The whole stored file, checked; undefined (after `onDamaged`) when it failed its checks and was removed. */
  read(file: string, onDamaged: () => void): Promise<Blob | undefined>;
  /** Stores the response's body as the file; resolves to the bytes stored. */
  write(file: string, response: Response): Promise<number>;
}

export function createResponseCache({ remotePrefix, events, read, write }: ResponseCacheParts): ResponseCache {
  const fileOf = (url: string): string | undefined =>
    url.startsWith(remotePrefix) ? url.slice(remotePrefix.length) : undefined;
  let storeFailure: EngineError | undefined;
  return {
    storeFailure: () => storeFailure,
    async match(url) {
      const file = fileOf(url);
      if (file === undefined) return undefined; // transformers.js needs undefined, not null, to keep storing.
      let damaged = false;
      const blob = await read(file, () => {
        damaged = true;
        events.onDamaged?.(file);
      });
      if (!blob && damaged && !(await reachable(url))) return failingResponse(damagedOffline(file, originOf(remotePrefix)));
      if (!blob) return undefined;
      events.onHit?.(file);
      return new Response(blob, { headers: { 'content-length': String(blob.size) } });
    },
    async put(url, response) {
      const file = fileOf(url);
      if (file === undefined) return;
      try {
        const bytes = await write(file, response);
        events.onStored?.(file, bytes);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (failure instanceof EngineError && failure.name === 'QuotaExceeded') storeFailure ??= failure;
        events.onStoreFailed?.(file, failure);
        throw failure;
      }
    },
  };
}

/** A cache hit whose body fails with `error` before any byte: transformers.js's read of it rejects with it. */
function failingResponse(error: Error): Response {
  const body = new ReadableStream<Uint8Array>({ start: (controller) => controller.error(error) });
  return new Response(body, { headers: { 'content-length': '0' } });
}
