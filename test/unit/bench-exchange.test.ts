// Results out and back in: the JSON and CSV round trips give back the same records (awkward text included), and a
// file that is not a valid export is refused with a message that names what is wrong.
import { describe, expect, it } from 'vitest';
import {
  EXPORT_FORMAT,
  newResults,
  parseCsv,
  parseResultsFile,
  resultsToCsv,
  resultsToJson,
} from '../../common/bench/exchange';
import { parseResult, resultProblem } from '../../common/bench/result';
import { sampleMachine, sampleResult } from './bench-sample';

/** A result with every optional field absent. */
function bareResult(): ReturnType<typeof sampleResult> {
  const result = sampleResult({
    machine: sampleMachine({ hardwareConcurrency: undefined, deviceMemoryGiB: undefined }),
    deviceReason: undefined,
    threads: undefined,
    turns: undefined,
    agreement: undefined,
    agreementNote: undefined,
    load: { warmMs: 10, warmFilesFromCache: 3 },
    memory: { source: 'not exposed' },
    roofline: { weightsBytes: 1, kvBytes: 0, stateBytes: 0, contextTokens: 9 },
  });
  // Through JSON, so the absent fields are gone rather than present as undefined.
  return JSON.parse(JSON.stringify(result));
}

function imported(text: string): unknown {
  const outcome = parseResultsFile(text);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.results;
}

function refusal(text: string): string {
  const outcome = parseResultsFile(text);
  if (outcome.ok) throw new Error('the file was accepted');
  return outcome.error;
}

describe('round trips', () => {
  const results = [sampleResult(), bareResult(), sampleResult({ machine: sampleMachine({ deviceId: 'device-b', userAgent: '=HYPERLINK("x")' }) })];

  it('gives back the same results through JSON', () => {
    const text = resultsToJson(results, '2026-05-03T00:00:00.000Z');
    expect(JSON.parse(text).format).toBe(EXPORT_FORMAT);
    expect(imported(text)).toEqual(results);
  });

  it('gives back the same results through CSV, one row per prompt', () => {
    const text = resultsToCsv(results);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1 + results.reduce((sum, result) => sum + result.prompts.length, 0));
    expect(imported(text)).toEqual(results);
  });

  it('writes text a spreadsheet would run as a formula with a leading apostrophe', () => {
    const text = resultsToCsv(results);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).toContain("'=SUM(A1)");
    expect(text).not.toMatch(/,=/);
  });

  it('accepts a byte-order mark and drops fields the schema does not know', () => {
    const withExtra = { ...sampleResult(), secret: 'dropped' };
    const text = `\uFEFF${resultsToJson([withExtra], 'now')}`;
    const back = imported(text);
    expect(Array.isArray(back) && back[0]).not.toHaveProperty('secret');
  });

  it('keeps only the imported results not already kept', () => {
    const [first, second] = results;
    if (!first || !second) throw new Error('no sample');
    expect(newResults([first], [first, second, second]).map((result) => result.id)).toEqual([second.id]);
  });
});

describe('refused imports', () => {
  it('refuses an empty file, a file that is not JSON or CSV of ours, and an export of a newer app', () => {
    expect(refusal('   ')).toMatch(/empty/);
    expect(refusal('{ not json')).toMatch(/not valid JSON/);
    expect(refusal(JSON.stringify({ results: [] }))).toMatch(/not a benchmark export/);
    expect(refusal(JSON.stringify({ format: EXPORT_FORMAT, version: 99, results: [sampleResult()] }))).toMatch(/newer version/);
    expect(refusal(JSON.stringify({ format: EXPORT_FORMAT, version: 1, results: [] }))).toMatch(/no results/);
    expect(refusal('name,age\nAda,36\n')).toMatch(/no “schema” column/);
  });

  it('names the first bad result and field, and imports nothing of the file', () => {
    const bad = { ...sampleResult(), decodeTokensPerS: 'fast' };
    const error = refusal(resultsToJson([sampleResult(), bad as never], 'now'));
    expect(error).toContain('Result 2');
    expect(error).toContain('decodeTokensPerS');
    expect(error).toContain('Nothing was imported');
  });

  it('names the CSV row of a bad cell', () => {
    const lines = resultsToCsv([sampleResult()]).trim().split('\r\n');
    const header = parseCsv(lines[0] ?? '')[0] ?? [];
    const column = header.indexOf('device');
    const cells = parseCsv(lines[2] ?? '')[0] ?? [];
    cells[column] = 'tpu';
    const error = refusal([lines[0], lines[1]?.replace(',webgpu,', ',tpu,'), cells.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')].join('\n'));
    expect(error).toContain('Row 2');
    expect(error).toContain('device');
  });

  it('checks records field by field', () => {
    expect(resultProblem(sampleResult())).toBeUndefined();
    expect(resultProblem({ ...sampleResult(), schema: 2 })).toMatch(/^schema/);
    expect(resultProblem({ ...sampleResult(), prompts: [] })).toMatch(/prompts/);
    expect(resultProblem({ ...sampleResult(), machine: { ...sampleMachine(), adapter: { ...sampleMachine().adapter, features: 'all' } } })).toMatch(/machine\.adapter\.features/);
    expect(parseResult(null)).toBeUndefined();
  });
});
