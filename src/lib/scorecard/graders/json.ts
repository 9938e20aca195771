// "Reply with JSON valid against this schema": the JSON is the whole answer, or the content of its one ```json (or
// bare ```) code fence, since models fence JSON by habit. Validation is @cfworker/json-schema's, which interprets the
// schema without eval (the app's CSP forbids it, which rules ajv out).
import { Validator } from '@cfworker/json-schema';
import type { Grade } from '../types';

const FENCE = /```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)```/g;

/** The JSON text of an answer: the first fenced block when there is one, else the whole answer. */
export function jsonTextOf(answer: string): string {
  const fenced = [...answer.matchAll(FENCE)][0];
  return (fenced?.[1] ?? answer).trim();
}

export function gradeJsonSchema(spec: { schema: Record<string, unknown> }, answer: string): Grade {
  const text = jsonTextOf(answer);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { pass: false, why: text === '' ? 'Expected JSON; the answer was empty.' : 'Expected JSON; the answer does not parse as JSON.' };
  }
  const result = new Validator(spec.schema, '2020-12', false).validate(value);
  if (result.valid) return { pass: true, why: 'Valid JSON that matches the schema.' };
  const first = result.errors.find((error) => error.keyword !== 'properties' && error.keyword !== 'items') ?? result.errors[0];
  const where = first?.instanceLocation.replace(/^#/, '') || 'the top level';
  return { pass: false, why: `JSON does not match the schema at ${where}: ${first?.error ?? 'invalid'}.` };
}
