// Text clean-up the graders share: how an answer is compared with a known one (case, accents, wrapping), how it is
// split into words, and how it is quoted in a `why` sentence. Pure functions; model output is untrusted text and is
// only ever compared and quoted here, never evaluated.

/**
 * Latin/Greek/Cyrillic combining accents (U+0300–U+036F) and Arabic optional vowel marks (U+064B–U+0652): dropping
 * them is fair, a small model that writes "cafe" for "café" knows the word. Marks that change a letter elsewhere
 * (the Japanese dakuten in ず, Devanagari vowel signs) are outside these ranges and are kept.
 */
const OPTIONAL_MARKS = /[\u0300-\u036f\u064b-\u0652]/g;

/** Case-, accent- and width-insensitive form of a text (NFKD also maps full-width "４２" to "42"); ß counts as ss. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(OPTIONAL_MARKS, '').normalize('NFC').toLowerCase().replace(/ß/g, 'ss').replace(/\s+/g, ' ').trim();
}

/** Quotes, brackets, markdown emphasis and sentence-final punctuation that may wrap a short answer. */
const WRAPPING = /^[\s"'`*_~“”‘’«»「」『』（）()[\]【】]+|[\s"'`*_~“”‘’«»「」『』（）()[\]【】.。!！?？,，、:：;；]+$/gu;

/** Lead-ins a model puts before a short answer ("The answer is Paris."): stripped so the answer alone is compared. */
const LEAD_IN = /^(?:(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)|it\s+is|it's|answer\s*[:：])\s*/i;

/** The answer reduced to what a short-answer grader compares: folded, unwrapped, without a lead-in. */
export function bareAnswer(text: string): string {
  let bare = foldText(text).replace(WRAPPING, '');
  const withoutLeadIn = bare.replace(LEAD_IN, '');
  if (withoutLeadIn !== bare) bare = withoutLeadIn.replace(WRAPPING, '');
  return bare;
}

/** The candidates a short answer is read as: the whole answer, and its last non-empty line (after an explanation). */
export function shortAnswerCandidates(text: string): string[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const candidates = [bareAnswer(text)];
  const lastLine = lines.at(-1);
  if (lastLine !== undefined && lines.length > 1) candidates.push(bareAnswer(lastLine));
  return candidates;
}

/** Words: runs of letters, marks and digits (apostrophes and hyphens inside a word keep it whole: "don't", "well-known"). */
export function wordsOf(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu) ?? [];
}

/** True when `phrase` occurs in `text` as whole words, folded (so "blue." and "Blue" count, "bluest" does not). */
export function containsWholePhrase(text: string, phrase: string): boolean {
  const haystack = ` ${wordsOf(text).join(' ')} `;
  const needle = wordsOf(phrase).join(' ');
  return needle !== '' && haystack.includes(` ${needle} `);
}

const QUOTE_LIMIT = 80;

/** An answer as it appears inside a `why` sentence: one line, at most 80 characters. */
export function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `“${oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT - 1)}…` : oneLine}”`;
}

/** Lists words for a sentence: "“a”", "“a” and “b”", "“a”, “b” and “c”". */
export function listQuoted(items: readonly string[]): string {
  const quoted = items.map((item) => quote(item));
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1) ?? ''}`;
}
