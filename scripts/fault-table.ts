// Turns the fault suite's lines (`[fault] fault → what the user sees → what is kept`, printed by
// test/browser/fault-report.ts) from a test log into a Markdown table for the README. Usage:
//   npm test 2>&1 | tee test.log; npx tsx scripts/fault-table.ts test.log
import { readFileSync } from 'node:fs';
import { FAULT_LINE_PREFIX } from '../test/browser/fault-report';

const log = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8');
const rows = new Set<string>();
for (const line of log.split('\n')) {
  const at = line.indexOf(`${FAULT_LINE_PREFIX} `);
  if (at < 0) continue;
  const parts = line.slice(at + FAULT_LINE_PREFIX.length + 1).split(' → ');
  if (parts.length === 3) rows.add(`| ${parts.join(' | ')} |`);
}
console.log('| fault | what the user sees | what is kept |\n|---|---|---|');
for (const row of rows) console.log(row);
