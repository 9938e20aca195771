// The numeric grader: finds the number an answer settles on and compares it with the known one.
// Which number counts, in this order: the last \boxed{…} (Qwen's maths habit); else the first number after the last
// "answer is" / "answer:" marker; else the LAST number in the answer, because a model that explains first ends on
// its result ("12 × 3 = 36, minus 7 is 29"). Numbers may carry units, currency or %, a sign (- or −), decimals with a
// point, thousands groups with commas, no-break or thin spaces ("1,234 km", "1 234"), and simple fractions ("3/4").
// A comma not followed by exactly three digits separates a list, it is not a decimal point: the prompts are English.
// Words ("forty-two") are not read: the prompts ask for digits.
import type { Grade } from '../types';
import { quote } from './normalise';

const GROUP_SEPARATOR = '[,\\u00a0\\u202f\\u2009]';
const NUMBER_SOURCE = `(?<![\\p{L}\\p{N}.])([-−]?)(\\d{1,3}(?:${GROUP_SEPARATOR}\\d{3})+|\\d+)(?:\\.(\\d+))?(?:\\/(\\d+))?`;

/** Every number in the text, in order, as values. */
export function numbersIn(text: string): number[] {
  const numbers: number[] = [];
  // NFKC (for full-width digits) turns no-break and thin spaces into ordinary ones, so those are read as commas first.
  const grouped = text.replace(/(\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))/g, '$1,').normalize('NFKC');
  for (const match of grouped.matchAll(new RegExp(NUMBER_SOURCE, 'gu'))) {
    const [, sign = '', whole = '', fraction, denominator] = match;
    let value = Number(whole.replace(new RegExp(GROUP_SEPARATOR, 'g'), '') + (fraction === undefined ? '' : `.${fraction}`));
    if (denominator !== undefined && fraction === undefined && Number(denominator) !== 0) value /= Number(denominator);
    numbers.push(sign === '' ? value : -value);
  }
  return numbers;
}

const BOXED = /\\boxed\{([^{}]*)\}/g;
const ANSWER_MARKER = /answer\s*(?:is|:|=)|答案|réponse|respuesta|antwort/gi;

/** The number an answer settles on (see the module comment for the rule), or undefined when it has none. */
export function chosenNumber(text: string): number | undefined {
  const boxed = [...text.matchAll(BOXED)].at(-1);
  const fromBoxed = boxed ? numbersIn(boxed[1] ?? '').at(-1) : undefined;
  if (fromBoxed !== undefined) return fromBoxed;
  const marker = [...text.matchAll(ANSWER_MARKER)].at(-1);
  if (marker?.index !== undefined) {
    const afterMarker = numbersIn(text.slice(marker.index + marker[0].length)).at(0);
    if (afterMarker !== undefined) return afterMarker;
  }
  return numbersIn(text).at(-1);
}

/** Relative slack for answers given without an explicit tolerance: only floating-point noise. */
const DEFAULT_RELATIVE_TOLERANCE = 1e-9;

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

export function gradeNumber(spec: { answer: number; tolerance?: number }, answer: string): Grade {
  const expected = formatNumber(spec.answer);
  if (answer.trim() === '') return { pass: false, why: `Expected ${expected}; the answer was empty.` };
  const found = chosenNumber(answer);
  if (found === undefined) return { pass: false, why: `Expected ${expected}; the answer ${quote(answer)} has no number in digits.` };
  const tolerance = spec.tolerance ?? DEFAULT_RELATIVE_TOLERANCE * Math.max(1, Math.abs(spec.answer));
  const pass = Math.abs(found - spec.answer) <= tolerance;
  return pass
    ? { pass, why: `Expected ${expected}; the answer gives ${formatNumber(found)}.` }
    : { pass, why: `Expected ${expected}; the answer's number is ${formatNumber(found)}.` };
}
