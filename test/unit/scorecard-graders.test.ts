// The scorecard's graders on right answers, wrong ones and near misses: a known short answer, word constraints,
// bullet counts, JSON inside a code fence, the script of an answer, code taken out of a fence and judged from the
// sandbox's result (a scripted RunCode: the real sandbox has its own browser test), and reasoning taken off first.
import { describe, expect, it, vi } from 'vitest';
import { gradeAnswer, gradeText } from '../../src/lib/scorecard/grade';
import { bulletCount, gradeBullets } from '../../src/lib/scorecard/graders/bullets';
import { extractCode, gradeCode } from '../../src/lib/scorecard/graders/code';
import { gradeJsonSchema, jsonTextOf } from '../../src/lib/scorecard/graders/json';
import { gradeLanguage, scriptShare } from '../../src/lib/scorecard/graders/language';
import { gradeKnownText, gradeWords } from '../../src/lib/scorecard/graders/text';
import type { RunCode, SandboxResult, ScorecardTask } from '../../src/lib/scorecard/types';

describe('gradeKnownText', () => {
  const spec = { answers: ['Paris'] };
  it.each(['Paris', 'paris.', '**Paris**', 'The answer is "Paris".', 'The capital of France is this city.\nParis'])('passes %j', (answer) => {
    expect(gradeKnownText(spec, answer).pass).toBe(true);
  });
  it.each(['Lyon', 'Not Paris but Lyon', 'Parisian', ''])('fails %j', (answer) => {
    const grade = gradeKnownText(spec, answer);
    expect(grade.pass).toBe(false);
    expect(grade.why).toMatch(/^Expected “Paris”; /);
  });
  it('accepts any of several spellings, accents folded', () => {
    expect(gradeKnownText({ answers: ['café', 'coffee shop'] }, 'Cafe').pass).toBe(true);
  });
});

describe('gradeWords', () => {
  it('passes when every constraint holds', () => {
    expect(gradeWords({ mustInclude: ['ocean'], mustExclude: ['blue'], maxWords: 10 }, 'The ocean is deep and cold.')).toEqual({
      pass: true,
      why: 'Every constraint is met (6 words).',
    });
  });
  it('names each broken constraint', () => {
    const grade = gradeWords({ mustInclude: ['ocean'], mustExclude: ['blue'], maxWords: 3 }, 'The sea is blue today.');
    expect(grade.pass).toBe(false);
    expect(grade.why).toBe('“ocean” is missing; “blue” must not appear but does; 5 words, over the limit of 3.');
  });
  it('reads a banned word only as a whole word, case folded', () => {
    expect(gradeWords({ mustExclude: ['blue'] }, 'Bluebells grow here.').pass).toBe(true);
    expect(gradeWords({ mustExclude: ['blue'] }, 'BLUE skies.').pass).toBe(false);
  });
});

describe('gradeBullets', () => {
  it('counts -, *, •, and numbered bullets, not other lines', () => {
    expect(bulletCount('Here:\n- one\n* two\n• three\n1. four\n2) five\nThat is all.')).toBe(5);
    expect(bulletCount('-no space is not a bullet\n---')).toBe(0);
  });
  it('passes exactly N and says how many it found otherwise', () => {
    expect(gradeBullets({ count: 3 }, '- a\n- b\n- c').pass).toBe(true);
    expect(gradeBullets({ count: 3 }, '- a\n- b\n- c\n- d')).toEqual({ pass: false, why: 'Expected exactly 3 bullet points; found 4.' });
  });
});

describe('gradeJsonSchema', () => {
  const schema = {
    type: 'object',
    required: ['name', 'age'],
    properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
    additionalProperties: false,
  };
  it('takes JSON out of a code fence', () => {
    expect(jsonTextOf('Here you go:\n```json\n{"a": 1}\n```\nDone.')).toBe('{"a": 1}');
    expect(gradeJsonSchema({ schema }, '```json\n{"name": "Ada", "age": 36}\n```').pass).toBe(true);
  });
  it('passes bare JSON', () => {
    expect(gradeJsonSchema({ schema }, '{"name": "Ada", "age": 36}').pass).toBe(true);
  });
  it('fails JSON that breaks the schema, naming where', () => {
    const grade = gradeJsonSchema({ schema }, '{"name": "Ada", "age": -1}');
    expect(grade.pass).toBe(false);
    expect(grade.why).toMatch(/at \/age/);
  });
  it('fails an extra field and text that is not JSON', () => {
    expect(gradeJsonSchema({ schema }, '{"name": "Ada", "age": 3, "x": 1}').pass).toBe(false);
    expect(gradeJsonSchema({ schema }, 'name: Ada')).toEqual({ pass: false, why: 'Expected JSON; the answer does not parse as JSON.' });
  });
});

describe('gradeLanguage', () => {
  it('measures the share of letters in a script, ignoring digits and punctuation', () => {
    // 水 度 沸 騰 are Han; は で し ま す are kana: 4 of 9 letters.
    expect(scriptShare('水は 100 度で沸騰します。', 'Han')).toBeCloseTo(4 / 9, 5);
    expect(scriptShare('123 !?', 'Latin')).toBe(0);
  });
  it('passes Japanese with kana and kanji mixed, and checks the known answer', () => {
    expect(gradeLanguage({ script: 'Hiragana', answers: ['みず'] }, 'みず').pass).toBe(true);
    expect(gradeLanguage({ script: 'Hiragana', answers: ['みず'] }, 'みす').pass).toBe(false);
  });
  it('fails an answer in the wrong script, saying how much was in the right one', () => {
    expect(gradeLanguage({ script: 'Cyrillic' }, 'Hello, friend')).toEqual({ pass: false, why: 'Expected an answer in Cyrillic script; 0 % of its letters are.' });
    expect(gradeLanguage({ script: 'Cyrillic' }, 'Привет, друг').pass).toBe(true);
  });
});

function sandboxReturning(result: Partial<SandboxResult>): RunCode & ReturnType<typeof vi.fn> {
  return vi.fn(async () => ({ status: 'ok', tests: [], logs: [], ms: 5, ...result }) satisfies SandboxResult);
}

describe('code grader', () => {
  const spec = { functionName: 'add', tests: [{ args: [1, 2], expected: 3 }, { args: [2, 2], expected: 4 }] };

  it('takes the fenced block that defines the function', () => {
    const answer = 'Usage:\n```js\nadd(1, 2)\n```\nCode:\n```javascript\nfunction add(a, b) { return a + b; }\n```';
    expect(extractCode(answer, 'add')).toBe('add(1, 2)');
    expect(extractCode('```python\ndef add(a, b): pass\n```', 'add')).toBe('');
    expect(extractCode('function add(a, b) { return a + b; }', 'add')).toBe('function add(a, b) { return a + b; }');
  });

  it('passes when every test passes, and sends only the code to the sandbox', async () => {
    const runCode = sandboxReturning({ tests: [{ pass: true }, { pass: true }] });
    const grade = await gradeCode(spec, '```js\nconst add = (a, b) => a + b;\n```', runCode);
    expect(grade).toEqual({ pass: true, why: 'All 2 tests passed.' });
    expect(runCode).toHaveBeenCalledWith('const add = (a, b) => a + b;', 'add', spec.tests, 2000);
  });

  it('names the first failing call with what it returned', async () => {
    const runCode = sandboxReturning({ tests: [{ pass: true }, { pass: false, actual: '5' }] });
    expect((await gradeCode(spec, 'const add = (a, b) => a + b + 1;', runCode)).why).toBe('1 of 2 tests passed; add(2, 2) returned 5, expected 4.');
  });

  it('reads a timeout, a memory stop and code that did not run', async () => {
    expect((await gradeCode(spec, 'function add() { while (true) {} }', sandboxReturning({ status: 'timeout', ms: 2100 }))).why).toMatch(/Stopped after 2\.1 s/);
    expect((await gradeCode(spec, 'function add() {}', sandboxReturning({ status: 'memory' }))).pass).toBe(false);
    expect((await gradeCode(spec, 'function add( {', sandboxReturning({ status: 'error', error: 'SyntaxError: unexpected token' }))).why).toBe(
      'The code did not run: SyntaxError: unexpected token.',
    );
  });

  it('fails without running when the answer has no code for the function', async () => {
    const runCode = sandboxReturning({});
    expect((await gradeCode(spec, 'function sum(a, b) { return a + b; }', runCode)).why).toBe('The code does not define add.');
    expect(runCode).not.toHaveBeenCalled();
  });
});

describe('gradeAnswer', () => {
  const task: ScorecardTask = { id: 't', group: 'arithmetic', prompt: '6 × 7?', grader: { kind: 'number', answer: 42 }, reference: '42' };
  it('grades the answer after the reasoning, not the numbers inside it', async () => {
    const runCode = sandboxReturning({});
    expect((await gradeAnswer(task, '<think>6 × 7 … maybe 41? no, 43?</think>42', runCode)).pass).toBe(true);
    expect((await gradeAnswer(task, '<think>the answer is 42</think>41', runCode)).pass).toBe(false);
  });
  it('leaves code tasks to the sandbox', () => {
    expect(gradeText({ ...task, group: 'code', grader: { kind: 'code', functionName: 'f', tests: [] } }, 'x')).toBeUndefined();
  });
});
