// Code tasks: write one JavaScript function; the sandbox runs the answer with these tests. Written for this app.
import type { ScorecardTask } from '../types';

type Tests = { args: unknown[]; expected: unknown }[];

function task(id: string, functionName: string, ask: string, tests: Tests, reference: string): ScorecardTask {
  return {
    id: `code-${id}`,
    group: 'code',
    prompt: `Write a JavaScript function named ${functionName} that ${ask} Reply with the code only, in one code block.`,
    grader: { kind: 'code', functionName, tests },
    reference: `\`\`\`js\n${reference}\n\`\`\``,
  };
}

export const CODE_TASKS: readonly ScorecardTask[] = [
  task('reverse-words', 'reverseWords', 'takes a string and returns its words in reverse order, separated by single spaces.',
    [{ args: ['the quick fox'], expected: 'fox quick the' }, { args: ['one'], expected: 'one' }, { args: ['a  b'], expected: 'b a' }],
    "function reverseWords(text) { return text.split(/\\s+/).filter(Boolean).reverse().join(' '); }"),
  task('is-palindrome', 'isPalindrome', 'returns true when a string reads the same backwards, ignoring case, spaces and punctuation.',
    [{ args: ['A man, a plan, a canal: Panama'], expected: true }, { args: ['hello'], expected: false }, { args: [''], expected: true }],
    "function isPalindrome(text) { const t = text.toLowerCase().replace(/[^a-z0-9]/g, ''); return t === [...t].reverse().join(''); }"),
  task('fizzbuzz', 'fizzBuzz', 'takes n and returns an array of strings for 1..n: "Fizz" for multiples of 3, "Buzz" for multiples of 5, "FizzBuzz" for both, else the number as a string.',
    [{ args: [5], expected: ['1', '2', 'Fizz', '4', 'Buzz'] }, { args: [15], expected: ['1', '2', 'Fizz', '4', 'Buzz', 'Fizz', '7', '8', 'Fizz', 'Buzz', '11', 'Fizz', '13', '14', 'FizzBuzz'] }],
    "function fizzBuzz(n) { return Array.from({ length: n }, (_, i) => { const k = i + 1; return k % 15 === 0 ? 'FizzBuzz' : k % 3 === 0 ? 'Fizz' : k % 5 === 0 ? 'Buzz' : String(k); }); }"),
  task('sum-digits', 'sumDigits', 'returns the sum of the decimal digits of a non-negative integer.',
    [{ args: [0], expected: 0 }, { args: [9045], expected: 18 }, { args: [1111111], expected: 7 }],
    "function sumDigits(n) { return String(n).split('').reduce((sum, d) => sum + Number(d), 0); }"),
  task('unique-sorted', 'uniqueSorted', 'takes an array of numbers and returns the distinct values in ascending order.',
    [{ args: [[3, 1, 3, 2, 1]], expected: [1, 2, 3] }, { args: [[]], expected: [] }, { args: [[10, -1, 10]], expected: [-1, 10] }],
    'function uniqueSorted(values) { return [...new Set(values)].sort((a, b) => a - b); }'),
  task('count-vowels', 'countVowels', 'returns how many vowels (a, e, i, o, u, either case) a string has.',
    [{ args: ['Hello World'], expected: 3 }, { args: ['rhythm'], expected: 0 }, { args: ['AEIOU'], expected: 5 }],
    'function countVowels(text) { return (text.match(/[aeiou]/gi) ?? []).length; }'),
  task('fibonacci', 'fibonacci', 'returns the n-th Fibonacci number, with fibonacci(0) = 0 and fibonacci(1) = 1.',
    [{ args: [0], expected: 0 }, { args: [1], expected: 1 }, { args: [10], expected: 55 }, { args: [30], expected: 832040 }],
    'function fibonacci(n) { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; }'),
  task('chunk', 'chunk', 'splits an array into consecutive groups of the given size; the last group may be shorter.',
    [{ args: [[1, 2, 3, 4, 5], 2], expected: [[1, 2], [3, 4], [5]] }, { args: [[], 3], expected: [] }, { args: [[1, 2], 5], expected: [[1, 2]] }],
    'function chunk(values, size) { const out = []; for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size)); return out; }'),
  task('word-count', 'wordFrequencies', 'takes a sentence and returns an object mapping each lower-cased word to how many times it occurs (words are runs of letters).',
    [{ args: ['The cat and the hat'], expected: { the: 2, cat: 1, and: 1, hat: 1 } }, { args: [''], expected: {} }],
    'function wordFrequencies(text) { const out = {}; for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) out[w] = (out[w] ?? 0) + 1; return out; }'),
];
