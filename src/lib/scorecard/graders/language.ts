// "Answer in this language and script": the share of the answer's letters written in the asked script must be at
// least 60 % (a Chinese answer may quote a Latin product name or digits; an English answer with one Chinese word
// fails). Digits, punctuation and spaces are not letters and do not count. Japanese may mix kana and kanji, so a
// Hiragana or Katakana task counts Han and both kana as the script. Known answers, when the task has them, must
// also appear (folded, as whole text or last line: text.ts).
import type { Grade, ScriptName } from '../types';
import { gradeKnownText } from './text';

const SCRIPT_SHARE = 0.6;

const SCRIPT_PATTERN: Record<ScriptName, RegExp> = {
  Latin: /\p{Script=Latin}/u,
  Han: /\p{Script=Han}/u,
  Hiragana: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  Katakana: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  Hangul: /\p{Script=Hangul}/u,
  Cyrillic: /\p{Script=Cyrillic}/u,
  Arabic: /\p{Script=Arabic}/u,
  Devanagari: /\p{Script=Devanagari}/u,
  Greek: /\p{Script=Greek}/u,
};

/** The share (0–1) of the letters of `text` written in `script`; 0 when it has no letters. */
export function scriptShare(text: string, script: ScriptName): number {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return 0;
  const pattern = SCRIPT_PATTERN[script];
  return letters.filter((letter) => pattern.test(letter)).length / letters.length;
}

export function gradeLanguage(spec: { script: ScriptName; answers?: readonly string[] }, answer: string): Grade {
  const share = scriptShare(answer, spec.script);
  if (share < SCRIPT_SHARE) {
    return { pass: false, why: `Expected an answer in ${spec.script} script; ${Math.round(share * 100)} % of its letters are.` };
  }
  if (spec.answers && spec.answers.length > 0) return gradeKnownText({ answers: spec.answers }, answer);
  return { pass: true, why: `Written in ${spec.script} script (${Math.round(share * 100)} % of its letters).` };
}
