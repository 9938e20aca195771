// The scorecard run as stored and exported: a clean copy of a good run, the first wrong field named for a bad one,
// caps on what an imported file may hold, and runs left half way by a reload read as interrupted.
import { describe, expect, it } from 'vitest';
import { parseRun, parseStoredRuns, type ScorecardRun } from '../../src/lib/scorecard/run-record';

function sampleRun(): ScorecardRun {
  return {
    id: 'run-1',
    startedAt: 1_764_000_000_000,
    finishedAt: 1_764_000_060_000,
    status: 'done',
    taskSet: { id: 'qwen-chat-scorecard', version: 1 },
    groups: ['arithmetic', 'pictures'],
    sides: [
      { id: 'local', kind: 'local', name: 'Local', model: 'Qwen3-0.6B', licence: 'Apache-2.0', readsPictures: false, wallMs: 42_000 },
      {
        id: 'openai',
        kind: 'remote',
        name: 'GPT-5.2',
        model: 'gpt-5.2',
        licence: 'proprietary',
        contextTokens: 400_000,
        readsPictures: true,
        price: { inputPerMillion: 1.75, cachedInputPerMillion: 0.175, outputPerMillion: 14 },
      },
    ],
    results: [
      { sideId: 'local', taskId: 'arith-1', group: 'arithmetic', status: 'fail', answer: '41', why: 'Expected 42; the answer’s number is 41.', totalMs: 900 },
      { sideId: 'local', taskId: 'pic-1', group: 'pictures', status: 'not-run', answer: '', why: 'Not run: does not read pictures.' },
      {
        sideId: 'openai',
        taskId: 'arith-1',
        group: 'arithmetic',
        status: 'pass',
        answer: '42',
        why: 'Expected 42; the answer gives 42.',
        inputTokens: 30,
        cachedInputTokens: 0,
        outputTokens: 2,
        costUsd: 0.0000805,
        sentBytes: 512,
        timeToFirstTokenMs: 300,
        totalMs: 400,
      },
    ],
    device: { browser: 'Chromium 156', adapter: 'swiftshader' },
    votes: { local: 1, openai: 3, tie: 0 },
  };
}

/** The entry at `index` of a list in a raw run, for spoiling one field of it. */
function entry(list: unknown, index: number): Record<string, unknown> {
  const found: unknown = Array.isArray(list) ? list[index] : undefined;
  if (typeof found !== 'object' || found === null) throw new Error(`no entry ${index}`);
  return found as Record<string, unknown>;
}

describe('parseRun', () => {
  it('gives back an equal, clean copy of a good run (a JSON round trip changes nothing)', () => {
    const run = sampleRun();
    const parsed = parseRun(JSON.parse(JSON.stringify(run)));
    expect(parsed).toEqual({ ok: true, value: run });
  });

  it('drops fields it does not know', () => {
    const raw = { ...sampleRun(), extra: '<img src=x onerror=alert(1)>' };
    const parsed = parseRun(raw);
    expect(parsed.ok && 'extra' in parsed.value).toBe(false);
  });

  it('keeps a price without a cached-input figure', () => {
    const run = sampleRun();
    const [local, remote] = run.sides;
    if (!local || !remote) throw new Error('the sample has two sides');
    run.sides = [local, { ...remote, price: { inputPerMillion: 2, outputPerMillion: 8 } }];
    const parsed = parseRun(run);
    expect(parsed.ok && parsed.value.sides[1]?.price).toEqual({ inputPerMillion: 2, outputPerMillion: 8 });
  });

  it.each([
    ['a result status it does not know', (run: Record<string, unknown>) => (entry(run.results, 2).status = 'won'), 'run.results[2].status'],
    ['a result naming no side of the run', (run: Record<string, unknown>) => (entry(run.results, 0).sideId = 'gemini'), 'run.results[0].sideId'],
    ['a negative figure', (run: Record<string, unknown>) => (entry(run.results, 2).costUsd = -1), 'run.results[2].costUsd'],
    ['a side without readsPictures', (run: Record<string, unknown>) => delete entry(run.sides, 0).readsPictures, 'run.sides[0].readsPictures'],
    ['two sides with one id', (run: Record<string, unknown>) => (entry(run.sides, 1).id = 'local'), 'run.sides'],
    ['an unknown group', (run: Record<string, unknown>) => ((run.groups as unknown[])[0] = 'trivia'), 'run.groups[0]'],
    ['no device', (run: Record<string, unknown>) => delete run.device, 'run.device'],
    ['an answer over 20,000 characters', (run: Record<string, unknown>) => (entry(run.results, 0).answer = 'x'.repeat(20_001)), 'run.results[0].answer'],
  ])('names the field for %s', (_case, spoil, field) => {
    const raw = JSON.parse(JSON.stringify(sampleRun())) as Record<string, unknown>;
    spoil(raw);
    const parsed = parseRun(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.field).toBe(field);
  });

  it('refuses a file with more than eight sides', () => {
    const raw = sampleRun();
    const [local] = raw.sides;
    if (!local) throw new Error('the sample has a local side');
    raw.sides = Array.from({ length: 9 }, (_, index) => ({ ...local, id: `side-${index}` }));
    raw.results = [];
    const parsed = parseRun(raw);
    expect(parsed).toMatchObject({ ok: false, field: 'run.sides' });
  });

  it('refuses a file that gives the same task twice for one side', () => {
    const raw = sampleRun();
    const [first] = raw.results;
    if (!first) throw new Error('the sample has a result');
    raw.results = [...raw.results, { ...first }];
    expect(parseRun(raw)).toMatchObject({ ok: false, field: `run.results[${raw.results.length - 1}]`, problem: expect.stringMatching(/repeats/) });
  });
});

describe('parseStoredRuns', () => {
  it('keeps the runs that parse, counts the others, and reads a run left running as interrupted', () => {
    const running = { ...sampleRun(), id: 'run-2', status: 'running' };
    const { runs, leftOut } = parseStoredRuns([sampleRun(), { broken: true }, running]);
    expect(runs.map((run) => [run.id, run.status])).toEqual([
      ['run-1', 'done'],
      ['run-2', 'interrupted'],
    ]);
    expect(leftOut).toBe(1);
  });

  it('reads nothing stored as no runs, and a stored non-list as one unreadable entry', () => {
    expect(parseStoredRuns(undefined)).toEqual({ runs: [], leftOut: 0 });
    expect(parseStoredRuns('garbage')).toEqual({ runs: [], leftOut: 1 });
  });
});
