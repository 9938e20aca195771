// The fault suite's one line per case: fault → what the user sees → what is kept. Each fault test calls
// `reportFault` once per case; `npx tsx scripts/fault-table.ts LOG` turns the lines of a test run into the README's
// table, so the table is filled from the suite's own output.
export const FAULT_LINE_PREFIX = '[fault]';

export function reportFault(fault: string, userSees: string, kept: string): void {
  const clean = (text: string): string => text.replace(/\s+/g, ' ').replace(/\|/g, '/').trim();
  console.info(`${FAULT_LINE_PREFIX} ${clean(fault)} → ${clean(userSees)} → ${clean(kept)}`);
}
