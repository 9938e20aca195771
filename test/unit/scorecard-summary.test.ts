// The scorecard summary per side: scores with not-run left out, "n/a" groups, medians, cost unknown vs 0 vs sum,
// totals and blind-vote wins.
import { describe, expect, it } from 'vitest';
import type { ScorecardRun, TaskResult } from '../../src/lib/scorecard/run-record';
import { medianOf, summariseRun } from '../../src/lib/scorecard/summary';
import { blindWinsBySide } from '../../src/lib/scorecard/blind-wins';

function result(sideId: string, status: TaskResult['status'], extra: Partial<TaskResult> = {}): TaskResult {
  return { sideId, taskId: `t-${Math.random()}`, group: 'arithmetic', status, answer: '', why: '', ...extra };
}

function run(results: TaskResult[], price = true): ScorecardRun {
  return {
    id: 'r',
    startedAt: 0,
    status: 'done',
    taskSet: { id: 's', version: 1 },
    groups: ['arithmetic', 'pictures'],
    sides: [
      { id: 'local', kind: 'local', name: 'Local', model: 'Qwen3-0.6B', licence: 'Apache-2.0', readsPictures: false, wallMs: 5000 },
      {
        id: 'openai',
        kind: 'remote',
        name: 'GPT',
        model: 'gpt-5.2',
        licence: 'proprietary',
        readsPictures: true,
        contextTokens: 400_000,
        ...(price ? { price: { inputPerMillion: 1, outputPerMillion: 2 } } : {}),
      },
    ],
    results,
    device: { browser: 'test' },
  };
}

describe('medianOf', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even count', () => {
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([7])).toBe(7);
    expect(medianOf([])).toBeUndefined();
  });
});

describe('summariseRun', () => {
  it('scores passed over graded, leaves not-run out, and gives no score to a group never graded', () => {
    const [local, remote] = summariseRun(
      run([
        result('local', 'pass'),
        result('local', 'fail'),
        result('local', 'error'),
        result('local', 'pass'),
        result('local', 'not-run', { group: 'pictures' }),
        result('openai', 'pass', { group: 'pictures', costUsd: 0.01 }),
      ]),
    );
    expect(local?.groups.arithmetic).toEqual({ passed: 2, failed: 1, errors: 1, notRun: 0, total: 4, score: 0.5 });
    expect(local?.groups.pictures).toEqual({ passed: 0, failed: 0, errors: 0, notRun: 1, total: 1, score: undefined });
    expect(local?.overall).toEqual({ passed: 2, failed: 1, errors: 1, notRun: 1, total: 5, score: 0.5 });
    expect(remote?.groups.arithmetic?.score).toBeUndefined();
    expect(remote?.groups.pictures?.score).toBe(1);
    expect(local?.sideId).toBe('local');
    expect(remote?.contextTokens).toBe(400_000);
  });

  it('takes medians over the results that have the figure, and sums tokens only when some were reported', () => {
    const [local, remote] = summariseRun(
      run([
        result('local', 'pass', { timeToFirstTokenMs: 100, tokensPerS: 10, outputTokens: 5 }),
        result('local', 'pass', { timeToFirstTokenMs: 300, tokensPerS: 30, outputTokens: 7 }),
        result('local', 'pass', { timeToFirstTokenMs: 200 }),
        result('openai', 'not-run'),
      ]),
    );
    expect(local?.medianTimeToFirstTokenMs).toBe(200);
    expect(local?.medianTokensPerS).toBe(20);
    expect(local?.outputTokens).toBe(12);
    expect(local?.inputTokens).toBeUndefined();
    expect(remote?.medianTimeToFirstTokenMs).toBeUndefined();
    expect(remote?.medianTokensPerS).toBeUndefined();
  });

  it('costs 0 locally, sums a priced remote side, and reads unknown without a price or with a sent result uncosted', () => {
    const costed = [result('openai', 'pass', { costUsd: 0.01, sentBytes: 100 }), result('openai', 'fail', { costUsd: 0.02, sentBytes: 50 })];
    const [local, remote] = summariseRun(run([result('local', 'pass'), ...costed]));
    expect(local?.costUsd).toBe(0);
    expect(local?.sentBytes).toBe(0);
    expect(remote?.costUsd).toBeCloseTo(0.03, 10);
    expect(remote?.sentBytes).toBe(150);
    expect(summariseRun(run(costed, false))[1]?.costUsd).toBeUndefined();
    expect(summariseRun(run([...costed, result('openai', 'pass')]))[1]?.costUsd).toBeUndefined();
    // An error that never left the device and a task not run cost nothing, so the sum stays known.
    expect(summariseRun(run([...costed, result('openai', 'error'), result('openai', 'not-run')]))[1]?.costUsd).toBeCloseTo(0.03, 10);
    expect(summariseRun(run([...costed, result('openai', 'error', { sentBytes: 10 })]))[1]?.costUsd).toBeUndefined();
    expect(summariseRun(run([result('openai', 'not-run')]))[1]?.sentBytes).toBeUndefined();
  });

  it('reads blind wins from the live votes, then the run’s stored votes, else 0', () => {
    const stored = { ...run([]), votes: { local: 2, openai: 1 } };
    expect(summariseRun(stored).map((side) => side.blindWins)).toEqual([2, 1]);
    expect(summariseRun(stored, { local: 5 }).map((side) => side.blindWins)).toEqual([5, 1]);
    expect(summariseRun(run([])).map((side) => side.blindWins)).toEqual([0, 0]);
  });

  it('carries the side’s description in side order', () => {
    const summaries = summariseRun(run([]));
    expect(summaries.map((side) => [side.kind, side.name, side.model, side.licence, side.readsPictures, side.wallMs])).toEqual([
      ['local', 'Local', 'Qwen3-0.6B', 'Apache-2.0', false, 5000],
      ['remote', 'GPT', 'gpt-5.2', 'proprietary', true, undefined],
    ]);
  });
});

describe('blindWinsBySide', () => {
  it('counts local wins for the local side and remote wins for the sides of the model that won; ties for nobody', () => {
    const row = (vote: 'local' | 'remote' | 'tie', remoteModel: string) => ({ conversationId: 'c', conversationTitle: 't', at: '', prompt: '', localModel: 'q', remoteModel, aWas: 'local' as const, vote });
    const sides = [
      { id: 'local', kind: 'local' as const, name: 'L', model: 'q', licence: 'Apache-2.0', readsPictures: false },
      { id: 'openai', kind: 'remote' as const, name: 'G', model: 'gpt-5.2', licence: 'proprietary', readsPictures: true },
      { id: 'vllm', kind: 'remote' as const, name: 'V', model: 'Qwen/Qwen3.5-397B-A17B', licence: 'Apache-2.0', readsPictures: true },
    ];
    const rows = [row('local', 'gpt-5.2'), row('remote', 'gpt-5.2'), row('remote', 'gpt-5.2'), row('tie', 'gpt-5.2'), row('remote', 'Qwen/Qwen3.5-397B-A17B'), row('local', 'x')];
    expect(blindWinsBySide(sides, rows)).toEqual({ local: 2, openai: 2, vllm: 1 });
  });
});
