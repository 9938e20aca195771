// CSV cells and lines for every export the app writes: RFC 4180 quoting, CRLF line ends, and a guard so a
// spreadsheet never runs a cell as a formula.
// Invariant: a cell that starts with =, +, - or @ gets a leading ' before quoting, whatever its source.

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line (without its CRLF) of already-stringified cells. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}
