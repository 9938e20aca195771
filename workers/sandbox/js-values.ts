// Values crossing the QuickJS boundary, and how the sandbox shows and compares them. Pure; unit-tested in node.
// Both ways a value travels as JSON text of a tagged tree, so what plain JSON loses survives: NaN, ±Infinity, -0,
// undefined and bigint are `{"$": tag}` nodes, an object is `{"$":"object","v":{...}}`, an array stays an array.
// Anything else (a function, a Map, a Date, a class instance, a cycle, a value over MAX_NODES) arrives as
// `Unsupported`, which is shown by name and equals nothing.
// Equality (`sameValue`), decided for grading JSON-like answers:
// - numbers: NaN equals NaN; 0 equals -0 (JSON cannot tell them apart, so a test written in JSON cannot either);
//   finite numbers equal when they differ by at most 1e-9 relative (sums taken in another order);
// - objects: key order ignored; a key whose value is undefined counts as absent (as in JSON); prototypes other than
//   Object's are not JSON-like and never equal;
// - arrays: same length, in order; types strict (1 is not "1", null is not undefined).

export const MAX_NODES = 10_000;
export const MAX_SHOWN_CHARS = 1_000;
const RELATIVE_TOLERANCE = 1e-9;

export class Unsupported {
  constructor(readonly what: string) {}
}

type Tagged = null | boolean | number | string | Tagged[] | { $: string; v?: unknown };

/** The tagged JSON of a host value (test arguments going in). */
export function encodeValue(value: unknown): string {
  let nodes = 0;
  const seen: object[] = [];
  const encode = (item: unknown): Tagged => {
    nodes += 1;
    if (nodes > MAX_NODES) return { $: 'unsupported', v: 'too large' };
    if (item === undefined) return { $: 'undefined' };
    if (item === null || typeof item === 'boolean' || typeof item === 'string') return item;
    if (typeof item === 'number') {
      if (Number.isNaN(item)) return { $: 'NaN' };
      if (item === Infinity) return { $: 'Infinity' };
      if (item === -Infinity) return { $: '-Infinity' };
      if (Object.is(item, -0)) return { $: '-0' };
      return item;
    }
    if (typeof item === 'bigint') return { $: 'bigint', v: item.toString() };
    if (typeof item !== 'object') return { $: 'unsupported', v: typeof item };
    if (seen.includes(item)) return { $: 'unsupported', v: 'circular' };
    seen.push(item);
    try {
      if (Array.isArray(item)) return item.map(encode);
      const proto: unknown = Object.getPrototypeOf(item);
      if (proto !== Object.prototype && proto !== null) return { $: 'unsupported', v: item.constructor.name || 'object' };
      const out: Record<string, Tagged> = {};
      for (const [key, entry] of Object.entries(item)) out[key] = encode(entry);
      return { $: 'object', v: out };
    } finally {
      seen.pop();
    }
  };
  return JSON.stringify(encode(value));
}

/** The host value of tagged JSON (values coming out of QuickJS). */
export function decodeValue(json: string): unknown {
  const decode = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(decode);
    const tag: unknown = Reflect.get(node, '$');
    const inner: unknown = Reflect.get(node, 'v');
    switch (tag) {
      case 'undefined':
        return undefined;
      case 'NaN':
        return NaN;
      case 'Infinity':
        return Infinity;
      case '-Infinity':
        return -Infinity;
      case '-0':
        return -0;
      case 'bigint':
        return typeof inner === 'string' && /^-?\d+$/.test(inner) ? BigInt(inner) : new Unsupported('bigint');
      case 'object': {
        const out: Record<string, unknown> = {};
        if (typeof inner === 'object' && inner !== null) {
          for (const [key, entry] of Object.entries(inner)) out[key] = decode(entry);
        }
        return out;
      }
      default:
        return new Unsupported(typeof inner === 'string' ? inner : 'value');
    }
  };
  return decode(JSON.parse(json));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameNumber(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether an answer equals the expected value, by the rules at the top of this file. */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual instanceof Unsupported || expected instanceof Unsupported) return false;
  if (typeof actual === 'number' && typeof expected === 'number') return sameNumber(actual, expected);
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected) || actual.length !== expected.length) return false;
    return actual.every((item, index) => sameValue(item, expected[index]));
  }
  if (isPlainObject(actual) && isPlainObject(expected)) {
    const present = (object: Record<string, unknown>): string[] =>
      Object.keys(object).filter((key) => object[key] !== undefined).sort();
    const keys = present(actual);
    const expectedKeys = present(expected);
    if (keys.length !== expectedKeys.length || keys.some((key, index) => key !== expectedKeys[index])) return false;
    return keys.every((key) => sameValue(actual[key], expected[key]));
  }
  return actual === expected;
}

/** JSON-ish text a user reads: JSON, plus NaN, Infinity, -0, undefined, 12n and [Map]; capped. */
export function showValue(value: unknown, maxChars = MAX_SHOWN_CHARS): string {
  const show = (item: unknown): string => {
    if (item instanceof Unsupported) return `[${item.what}]`;
    if (item === undefined) return 'undefined';
    if (typeof item === 'number') return Object.is(item, -0) ? '-0' : String(item);
    if (typeof item === 'bigint') return `${item}n`;
    if (Array.isArray(item)) return `[${item.map(show).join(',')}]`;
    if (isPlainObject(item)) {
      return `{${Object.entries(item).map(([key, entry]) => `${JSON.stringify(key)}:${show(entry)}`).join(',')}}`;
    }
    return JSON.stringify(item) ?? String(item);
  };
  const text = show(value);
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length} characters)` : text;
}
