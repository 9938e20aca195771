// Benchmark results out of the app and back in: JSON (the whole record) and CSV (one row per result and prompt, a
// column per field, for spreadsheets), and the import of either with validation. Invariants: export then import
// gives back the same results in both formats; an import either yields valid results or says, naming the first
// bad field or row, why the file was refused (nothing is half imported); a CSV cell that a spreadsheet would run
// as a formula is written with a leading apostrophe, which the import takes off again.
import { isRecord } from '../guards';
import { parseResult, PROMPT_FIELDS, resultProblem, RESULT_FIELDS, type BenchResult } from './result';
import { cellText, cellValue, readPath, scalarPaths, writePath, type Field } from './schema';

export const EXPORT_FORMAT = 'qwen-webgpu-chat/benchmark-results';
export const EXPORT_VERSION = 1;

export type ImportOutcome = { ok: true; results: BenchResult[]; format: 'JSON' | 'CSV' } | { ok: false; error: string };

/** `benchmark-2026-05-03-14-05.json`: the export's name, from the time it was made. */
export function exportFileName(extension: 'json' | 'csv', atMs: number): string {
  return `benchmark-${new Date(atMs).toISOString().slice(0, 16).replace(/[:T]/g, '-')}.${extension}`;
}

export function isoTime(atMs: number): string {
  return new Date(atMs).toISOString();
}

export function resultsToJson(results: readonly BenchResult[], exportedAt: string): string {
  return `${JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt, results }, null, 2)}\n`;
}

const RESULT_COLUMNS = scalarPaths(RESULT_FIELDS);
const PROMPT_COLUMNS = scalarPaths(PROMPT_FIELDS).map(({ path, field }) => ({ path: `prompt.${path}`, field }));
const COLUMNS: readonly { path: string; field: Field }[] = [...RESULT_COLUMNS, ...PROMPT_COLUMNS];

const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(field: Field, value: unknown): string {
  let cell = cellText(field, value);
  if (field.kind === 'string' && FORMULA_START.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function resultsToCsv(results: readonly BenchResult[]): string {
  const lines = [COLUMNS.map((column) => column.path).join(',')];
  for (const result of results) {
    const shared = RESULT_COLUMNS.map(({ path, field }) => csvCell(field, readPath(result, path)));
    for (const prompt of result.prompts) {
      const own = PROMPT_COLUMNS.map(({ path, field }) => csvCell(field, readPath({ prompt }, path)));
      lines.push([...shared, ...own].join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180 rows: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === '') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((cells) => cells.some((value) => value !== ''));
}

function fromCell(field: Field, text: string): unknown {
  const unguarded = field.kind === 'string' && /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
  return cellValue(field, unguarded);
}

function importCsv(text: string): ImportOutcome {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { ok: false, error: 'The file is empty.' };
  const position = new Map(header.map((name, index) => [name.trim(), index]));
  const missing = COLUMNS.find((column) => !position.has(column.path));
  if (missing) return { ok: false, error: `This CSV file is not a benchmark export of this app: it has no “${missing.path}” column.` };
  if (rows.length === 0) return { ok: false, error: 'The file holds no results.' };

  const drafts = new Map<string, { result: Record<string, unknown>; firstRow: number }>();
  for (const [index, cells] of rows.entries()) {
    const read = (path: string): string => cells[position.get(path) ?? -1] ?? '';
    const id = read('id');
    let draft = drafts.get(id);
    if (!draft) {
      const result: Record<string, unknown> = { prompts: [] };
      for (const { path, field } of RESULT_COLUMNS) {
        const value = fromCell(field, read(path));
        if (value !== undefined) writePath(result, path, value);
      }
      draft = { result, firstRow: index + 2 };
      drafts.set(id, draft);
    }
    const prompt: Record<string, unknown> = {};
    for (const { path, field } of PROMPT_COLUMNS) {
      const value = fromCell(field, read(path));
      if (value !== undefined) writePath(prompt, path.slice('prompt.'.length), value);
    }
    const prompts = draft.result.prompts;
    if (Array.isArray(prompts)) prompts.push(prompt);
  }
  return collect([...drafts.values()].map(({ result, firstRow }) => ({ value: result, where: `Row ${firstRow}` })), 'CSV');
}

function importJson(text: string): ImportOutcome {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `The file is not valid JSON (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (!isRecord(data) || data.format !== EXPORT_FORMAT) {
    return { ok: false, error: `This JSON file is not a benchmark export of this app (it lacks "format": "${EXPORT_FORMAT}").` };
  }
  if (typeof data.version !== 'number' || data.version > EXPORT_VERSION) {
    return { ok: false, error: 'This file was exported by a newer version of the app; update the app to import it.' };
  }
  if (!Array.isArray(data.results) || data.results.length === 0) return { ok: false, error: 'The file holds no results.' };
  return collect(data.results.map((value: unknown, index) => ({ value, where: `Result ${index + 1}` })), 'JSON');
}

function collect(entries: { value: unknown; where: string }[], format: 'JSON' | 'CSV'): ImportOutcome {
  const results: BenchResult[] = [];
  for (const { value, where } of entries) {
    const result = parseResult(value);
    if (!result) return { ok: false, error: `${where} is not a valid benchmark result (${resultProblem(value) ?? 'unreadable'}). Nothing was imported.` };
    results.push(result);
  }
  return { ok: true, results, format };
}

/** Reads an exported file (JSON or CSV, told apart by its first character). */
export function parseResultsFile(text: string): ImportOutcome {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') return { ok: false, error: 'The file is empty.' };
  return body.startsWith('{') || body.startsWith('[') ? importJson(body) : importCsv(body);
}

/** The imported results that are not already kept (same id), in file order. */
export function newResults(kept: readonly BenchResult[], imported: readonly BenchResult[]): BenchResult[] {
  const known = new Set(kept.map((result) => result.id));
  return imported.filter((result) => {
    if (known.has(result.id)) return false;
    known.add(result.id);
    return true;
  });
}
