// The scorecard's numeric grader on right answers, wrong ones and the near misses a model writes: units, thousands
// separators, a trailing full stop, an explanation that ends on the result, \boxed{}, fractions, negatives.
import { describe, expect, it } from 'vitest';
import { chosenNumber, gradeNumber, numbersIn } from '../../src/lib/scorecard/graders/number';
import { bareAnswer, containsWholePhrase, foldText, wordsOf } from '../../src/lib/scorecard/graders/normalise';

describe('numbersIn', () => {
  it('reads thousands groups, decimals, signs and fractions', () => {
    expect(numbersIn('1,234 km and 1\u00a0234 m, −5, -2.5 and 3/4')).toEqual([1234, 1234, -5, -2.5, 0.75]);
    // An ordinary space separates two numbers: only no-break and thin spaces group digits.
    expect(numbersIn('1 234')).toEqual([1, 234]);
  });
  it('reads a comma that is not a thousands group as a list separator', () => {
    expect(numbersIn('2,3,4')).toEqual([2, 3, 4]);
  });
  it('does not read digits inside a word', () => {
    expect(numbersIn('gpt5 has no number here')).toEqual([]);
  });
});

describe('chosenNumber', () => {
  it('takes the last number when the model explains first', () => {
    expect(chosenNumber('12 × 3 = 36, minus 7 is 29')).toBe(29);
  });
  it('takes the number after the last "answer is" over a later one', () => {
    expect(chosenNumber('The answer is 42. (I checked it 3 times.)')).toBe(42);
  });
  it('takes the last \\boxed{} value first', () => {
    expect(chosenNumber('so \\boxed{17}, not 18')).toBe(17);
  });
  it('has none for an answer without digits', () => {
    expect(chosenNumber('forty-two')).toBeUndefined();
  });
});

describe('gradeNumber', () => {
  const spec = { answer: 1234 };
  it.each(['1234', '1,234', '1,234 km.', 'The answer is 1234.', 'Total: $1,234', '**1234**'])('passes %j', (answer) => {
    expect(gradeNumber(spec, answer).pass).toBe(true);
  });
  it.each(['1235', '123.4', '-1234', 'about a thousand'])('fails %j, saying what it found', (answer) => {
    const grade = gradeNumber(spec, answer);
    expect(grade.pass).toBe(false);
    expect(grade.why).toMatch(/^Expected 1234; /);
  });
  it('says an empty answer was empty', () => {
    expect(gradeNumber(spec, '  ').why).toBe('Expected 1234; the answer was empty.');
  });
  it('names the number it read in a wrong answer', () => {
    expect(gradeNumber({ answer: 42 }, 'It is 41.').why).toBe("Expected 42; the answer's number is 41.");
  });
  it('uses the tolerance the task gives', () => {
    expect(gradeNumber({ answer: 3.14, tolerance: 0.01 }, '3.141').pass).toBe(true);
    expect(gradeNumber({ answer: 3.14, tolerance: 0.01 }, '3.2').pass).toBe(false);
  });
  it('accepts a fraction equal to a decimal answer', () => {
    expect(gradeNumber({ answer: 0.75 }, '3/4').pass).toBe(true);
  });
});

describe('text clean-up', () => {
  it('folds case, accents, width and ß', () => {
    expect(foldText('  Café  STRASSE Straße ４２ ')).toBe('cafe strasse strasse 42');
  });
  it('keeps the marks that change a letter (dakuten)', () => {
    expect(foldText('みず')).not.toBe(foldText('みす'));
  });
  it('strips wrapping and a lead-in from a short answer', () => {
    expect(bareAnswer('The answer is "Paris".')).toBe('paris');
    expect(bareAnswer('「みず」。')).toBe('みず');
  });
  it('matches whole words only', () => {
    expect(containsWholePhrase('The sky is Blue.', 'blue')).toBe(true);
    expect(containsWholePhrase('the bluest sky', 'blue')).toBe(false);
    expect(wordsOf("don't stop well-known")).toEqual(["don't", 'stop', 'well-known']);
  });
});
