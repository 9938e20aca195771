// A scorecard run as a file: versioned JSON that imports back, and a CSV of its results for a spreadsheet.
// Invariants:
// - Import goes through parseRun, the one gate; a refusal names the field and the problem.
// - An imported run gets a fresh id and says where it came from, so it never replaces a run measured here.
// - CSV leaves an unknown figure empty (never 0, above all for cost) and guards every cell against formulas.
import { csvLine } from '../csv';
import { parseRun, type ScorecardRun, type TaskResult } from './run-record';

export const SCORECARD_FORMAT = 'qwen-webgpu-chat/scorecard';
export const SCORECARD_VERSION = 1;
/** Bigger than any run the caps in run-record.ts allow, small enough not to stall the page parsing it. */
export const MAX_SCORECARD_FILE_CHARS = 5_000_000;

export function scorecardToJson(run: ScorecardRun, votes?: Record<string, number>): string {
  const exported: ScorecardRun = votes === undefined ? run : { ...run, votes: { ...votes } };
  const file = { format: SCORECARD_FORMAT, version: SCORECARD_VERSION, exportedAt: new Date().toISOString(), run: exported };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const CSV_HEADER = [
  'side',
  'model',
  'task',
  'group',
  'status',
  'why',
  'time_to_first_token_ms',
  'tokens_per_s',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'sent_bytes',
  'answer',
];

function figure(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

export function scorecardToCsv(run: ScorecardRun): string {
  const models = new Map(run.sides.map((side) => [side.id, side.model]));
  const row = (result: TaskResult): string[] => [
    result.sideId,
    models.get(result.sideId) ?? '',
    result.taskId,
    result.group,
    result.status,
    result.why,
    figure(result.timeToFirstTokenMs),
    figure(result.tokensPerS),
    figure(result.inputTokens),
    figure(result.outputTokens),
    figure(result.costUsd),
    figure(result.sentBytes),
    result.answer,
  ];
  const lines = [csvLine(CSV_HEADER), ...run.results.map((result) => csvLine(row(result)))];
  return `${lines.join('\r\n')}\r\n`;
}

export type ScorecardImport = { ok: true; run: ScorecardRun } | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseScorecardFile(text: string, label: string, now = Date.now()): ScorecardImport {
  if (text.length > MAX_SCORECARD_FILE_CHARS) return { ok: false, message: 'The file is over 5 MB; a scorecard export is far smaller.' };
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The file is not JSON; choose a scorecard exported as JSON.' };
  }
  if (!isObject(file) || file.format !== SCORECARD_FORMAT) {
    return { ok: false, message: `The file is not a scorecard (its format is not ${SCORECARD_FORMAT}).` };
  }
  if (typeof file.version !== 'number' || !Number.isInteger(file.version) || file.version < 1) {
    return { ok: false, message: 'The file has no valid version number.' };
  }
  if (file.version > SCORECARD_VERSION) {
    return { ok: false, message: `The file was made by a newer version of the app (format version ${file.version}); update the app to open it.` };
  }
  const parsed = parseRun(file.run);
  if (!parsed.ok) return { ok: false, message: `The file's ${parsed.field} ${parsed.problem}.` };
  const run = parsed.value;
  return { ok: true, run: { ...run, id: `imported-${run.id}-${now}`, importedFrom: { label, importedAt: now } } };
}
