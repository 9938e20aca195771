// Type guards for values read from outside the program (JSON from disk, IndexedDB, a server, a model's config).

/** A plain object (not null, not an array), whose fields can then be checked one by one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
