// A small description of plain JSON records, used three ways for benchmark results: to check a record read from
// outside (IndexedDB, an imported file) field by field with a message that names the bad field, and to flatten a
// record into named cells and back again (the CSV export and import). Invariants: `check` accepts exactly what the
// schema describes (extra fields are ignored and dropped by `pick`); flatten then unflatten gives back the record.
import { isRecord } from '../guards';

export type Field =
  | { kind: 'string'; optional?: boolean }
  | { kind: 'number'; optional?: boolean; min?: number; max?: number }
  | { kind: 'boolean'; optional?: boolean }
  | { kind: 'enum'; values: readonly string[]; optional?: boolean }
  | { kind: 'strings'; optional?: boolean }
  | { kind: 'object'; fields: Readonly<Record<string, Field>>; optional?: boolean }
  | { kind: 'list'; item: Readonly<Record<string, Field>>; optional?: boolean; minItems?: number };

/** The first problem with `value` against `field`, as "where: what"; undefined when it fits. */
export function check(field: Field, value: unknown, where: string): string | undefined {
  if (value === undefined) return field.optional ? undefined : `${where}: missing`;
  switch (field.kind) {
    case 'string':
      return typeof value === 'string' ? undefined : `${where}: not text`;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${where}: not a number`;
      if (field.min !== undefined && value < field.min) return `${where}: below ${field.min}`;
      return field.max !== undefined && value > field.max ? `${where}: above ${field.max}` : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${where}: not true or false`;
    case 'enum':
      return typeof value === 'string' && field.values.includes(value) ? undefined : `${where}: not one of ${field.values.join(', ')}`;
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string') ? undefined : `${where}: not a list of text`;
    case 'object':
      return checkFields(field.fields, value, where);
    case 'list': {
      if (!Array.isArray(value)) return `${where}: not a list`;
      if (field.minItems !== undefined && value.length < field.minItems) return `${where}: fewer than ${field.minItems}`;
      for (const [index, item] of value.entries()) {
        const problem = checkFields(field.item, item, `${where}[${index}]`);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

export function checkFields(fields: Readonly<Record<string, Field>>, value: unknown, where: string): string | undefined {
  if (!isRecord(value)) return `${where}: not an object`;
  for (const [key, field] of Object.entries(fields)) {
    const problem = check(field, value[key], where ? `${where}.${key}` : key);
    if (problem) return problem;
  }
  return undefined;
}

/** A copy of a checked value with only the fields the schema names. */
export function pick(fields: Readonly<Record<string, Field>>, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    const item = value[key];
    if (item === undefined) continue;
    if (field.kind === 'object' && isRecord(item)) out[key] = pick(field.fields, item);
    else if (field.kind === 'list' && Array.isArray(item)) out[key] = item.map((entry: unknown) => (isRecord(entry) ? pick(field.item, entry) : entry));
    else if (field.kind === 'strings' && Array.isArray(item)) out[key] = [...item];
    else out[key] = item;
  }
  return out;
}

/** A scalar cell: text, a number or a flag; lists of text are joined with spaces. */
export type Cell = string | number | boolean | undefined;

/** The dotted paths of every scalar field (objects flattened, lists of objects left out), in schema order. */
export function scalarPaths(fields: Readonly<Record<string, Field>>, prefix = ''): { path: string; field: Field }[] {
  const paths: { path: string; field: Field }[] = [];
  for (const [key, field] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (field.kind === 'object') paths.push(...scalarPaths(field.fields, path));
    else if (field.kind !== 'list') paths.push({ path, field });
  }
  return paths;
}

export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) current = isRecord(current) ? current[key] : undefined;
  return current;
}

export function writePath(target: Record<string, unknown>, path: string, item: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    if (isRecord(next)) current = next;
    else current = current[key] = {};
  }
  const last = keys.at(-1);
  if (last !== undefined) current[last] = item;
}

/** A cell as CSV text: lists joined by spaces, absent as empty. */
export function cellText(field: Field, value: unknown): string {
  if (value === undefined) return '';
  if (field.kind === 'strings' && Array.isArray(value)) return value.join(' ');
  return String(value);
}

/**
 * A CSV cell back into a value of the field's kind: an empty cell is absent for an optional field, '' or [] for a
 * required text or list, and left absent (so `check` names it) for anything else. Unparseable numbers stay text.
 */
export function cellValue(field: Field, text: string): unknown {
  if (text === '') {
    if (field.optional) return undefined;
    if (field.kind === 'string') return '';
    if (field.kind === 'strings') return [];
    return undefined;
  }
  switch (field.kind) {
    case 'number': {
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'strings':
      return text.split(' ').filter((item) => item !== '');
    default:
      return text;
  }
}
