// Short-answer graders: a known answer (any of several spellings), and constraints on the words of an answer.
// Matching is folded (case, accents, width: normalise.ts) because a small model that writes "paris" or "Café" knows
// the answer; the whole answer or its last line must BE the answer, so "not Paris but Lyon" does not pass for Paris.
import type { Grade } from '../types';
import { containsWholePhrase, listQuoted, quote, shortAnswerCandidates, bareAnswer, wordsOf } from './normalise';

export function gradeKnownText(spec: { answers: readonly string[] }, answer: string): Grade {
  const wanted = spec.answers.map(bareAnswer);
  const candidates = shortAnswerCandidates(answer);
  const hit = candidates.find((candidate) => wanted.includes(candidate));
  const expected = listQuoted(spec.answers);
  if (hit !== undefined) return { pass: true, why: `Expected ${expected}; the answer is ${quote(hit)}.` };
  if (answer.trim() === '') return { pass: false, why: `Expected ${expected}; the answer was empty.` };
  return { pass: false, why: `Expected ${expected}; the answer was ${quote(answer)}.` };
}

export function gradeWords(spec: { mustInclude?: readonly string[]; mustExclude?: readonly string[]; maxWords?: number }, answer: string): Grade {
  const problems: string[] = [];
  const missing = (spec.mustInclude ?? []).filter((phrase) => !containsWholePhrase(answer, phrase));
  if (missing.length > 0) problems.push(`${listQuoted(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`);
  const present = (spec.mustExclude ?? []).filter((phrase) => containsWholePhrase(answer, phrase));
  if (present.length > 0) problems.push(`${listQuoted(present)} must not appear but ${present.length === 1 ? 'does' : 'do'}`);
  const words = wordsOf(answer).length;
  if (spec.maxWords !== undefined && words > spec.maxWords) problems.push(`${words} words, over the limit of ${spec.maxWords}`);
  if (words === 0) problems.push('the answer was empty');
  if (problems.length > 0) return { pass: false, why: `${capitalise(problems.join('; '))}.` };
  return { pass: true, why: `Every constraint is met (${words} word${words === 1 ? '' : 's'}).` };
}

function capitalise(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
