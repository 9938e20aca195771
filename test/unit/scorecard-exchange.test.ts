// Scorecard files: JSON export that imports back to the same run, CSV quoting and formula guard, each refusal's
// message, and hostile files refused or kept as plain text.
import { describe, expect, it } from 'vitest';
import type { ScorecardRun, TaskResult } from '../../src/lib/scorecard/run-record';
import { parseScorecardFile, SCORECARD_FORMAT, scorecardToCsv, scorecardToJson } from '../../src/lib/scorecard/exchange';

function sampleRun(results?: TaskResult[]): ScorecardRun {
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
        readsPictures: true,
        price: { inputPerMillion: 1.75, cachedInputPerMillion: 0.175, outputPerMillion: 14 },
      },
    ],
    results: results ?? [
      { sideId: 'local', taskId: 'arith-1', group: 'arithmetic', status: 'fail', answer: '41, or "so"\nI think', why: 'Expected 42.', totalMs: 900 },
      { sideId: 'local', taskId: 'pic-1', group: 'pictures', status: 'not-run', answer: '', why: 'Not run: does not read pictures.' },
      {
        sideId: 'openai',
        taskId: 'arith-1',
        group: 'arithmetic',
        status: 'pass',
        answer: '=1+41',
        why: '-fine',
        inputTokens: 30,
        outputTokens: 2,
        costUsd: 0.0000805,
        sentBytes: 512,
        timeToFirstTokenMs: 300,
        tokensPerS: 12.5,
      },
    ],
    device: { browser: 'Chromium 156', adapter: 'swiftshader' },
  };
}

function fileWith(run: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: SCORECARD_FORMAT, version: 1, exportedAt: 'x', run, ...extra });
}

function refusal(text: string): string {
  const parsed = parseScorecardFile(text, 'file.json', 1);
  if (parsed.ok) throw new Error('expected a refusal');
  return parsed.message;
}

describe('scorecardToJson / parseScorecardFile', () => {
  it('round-trips a run, with a fresh id, where it came from, and the live votes', () => {
    const run = sampleRun();
    const text = scorecardToJson(run, { local: 1, openai: 2 });
    const file: unknown = JSON.parse(text);
    expect(file).toMatchObject({ format: SCORECARD_FORMAT, version: 1 });
    const parsed = parseScorecardFile(text, 'friend.json', 1234);
    if (!parsed.ok) throw new Error(parsed.message);
    const { id, importedFrom, ...rest } = parsed.run;
    expect(id).toBe('imported-run-1-1234');
    expect(importedFrom).toEqual({ label: 'friend.json', importedAt: 1234 });
    expect({ ...rest, id: 'run-1' }).toEqual({ ...sampleRun(), votes: { local: 1, openai: 2 } });
    expect(run.votes).toBeUndefined();
  });

  it('refuses a file too big, not JSON, of another format, of a newer version, or with a wrong field', () => {
    expect(refusal('x'.repeat(5_000_001))).toContain('over 5 MB');
    expect(refusal('{not json')).toContain('not JSON');
    expect(refusal(JSON.stringify({ format: 'other', version: 1, run: sampleRun() }))).toContain('not a scorecard');
    expect(refusal('[]')).toContain('not a scorecard');
    expect(refusal(fileWith(sampleRun(), { version: 2 }))).toContain('made by a newer version of the app');
    expect(refusal(fileWith(sampleRun(), { version: 'one' }))).toContain('no valid version');
    const bad = sampleRun();
    const results: unknown[] = bad.results.map((result, index) => (index === 2 ? { ...result, status: 'won' } : result));
    expect(refusal(fileWith({ ...bad, results }))).toBe("The file's run.results[2].status is not one of pass, fail, error, not-run.");
    expect(refusal(fileWith(undefined))).toContain('run is not an object');
  });

  it('keeps markup as plain text and refuses huge strings and too many results', () => {
    const hostile = sampleRun();
    const markup = '<img src=x onerror="alert(1)">';
    const first = hostile.results[0];
    if (first === undefined) throw new Error('no result');
    hostile.results[0] = { ...first, answer: markup };
    const parsed = parseScorecardFile(scorecardToJson(hostile), 'evil.json', 1);
    expect(parsed.ok && parsed.run.results[0]?.answer).toBe(markup);
    hostile.results[0] = { ...first, answer: 'x'.repeat(100_000) };
    expect(refusal(scorecardToJson(hostile))).toContain('run.results[0].answer is longer than');
    const many = Array.from({ length: 10_000 }, (_, index) => ({ ...first, taskId: `t${index}`, answer: '' }));
    expect(refusal(fileWith(sampleRun(many)))).toContain('run.results has more than');
  });
});

describe('scorecardToCsv', () => {
  it('writes a header and one CRLF row per result, quoting and guarding cells, empty for unknown figures', () => {
    const text = scorecardToCsv(sampleRun());
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'side,model,task,group,status,why,time_to_first_token_ms,tokens_per_s,input_tokens,output_tokens,cost_usd,sent_bytes,answer',
    );
    // A newline inside a quoted cell stays a bare LF, so the row does not split on CRLF.
    expect(lines[1]).toBe('local,Qwen3-0.6B,arith-1,arithmetic,fail,Expected 42.,,,,,,,"41, or ""so""\nI think"');
    expect(lines[2]).toBe('local,Qwen3-0.6B,pic-1,pictures,not-run,Not run: does not read pictures.,,,,,,,');
    expect(lines[3]).toBe("openai,gpt-5.2,arith-1,arithmetic,pass,'-fine,300,12.5,30,2,0.0000805,512,'=1+41");
    expect(lines).toHaveLength(5);
  });
});
