// axe-core in the page under test: evaluated (not added as a <script>, which the app's CSP refuses), run on the
// WCAG 2.x A/AA rules and axe's best practices, findings reduced to what a failing test prints.
import axe from 'axe-core';
import type { Page } from 'playwright-core';

export interface Finding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

export async function runAxe(page: Page): Promise<{ violations: Finding[]; passed: string[] }> {
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const api: unknown = Reflect.get(window, 'axe');
    if (typeof api !== 'object' || api === null) throw new Error('axe did not load');
    const run: unknown = Reflect.get(api, 'run');
    if (typeof run !== 'function') throw new Error('axe.run missing');
    const results: unknown = await run.call(api, document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    const field = (key: string): unknown[] => {
      const value: unknown = typeof results === 'object' && results !== null ? Reflect.get(results, key) : [];
      return Array.isArray(value) ? value : [];
    };
    const passed = field('passes').map((rule: unknown) => String(typeof rule === 'object' && rule !== null ? Reflect.get(rule, 'id') : rule));
    const violations = field('violations').map((violation: unknown) => {
      const get = (key: string): unknown => (typeof violation === 'object' && violation !== null ? Reflect.get(violation, key) : undefined);
      const nodes = get('nodes');
      return {
        id: String(get('id')),
        impact: String(get('impact')),
        help: String(get('help')),
        targets: Array.isArray(nodes)
          ? nodes.slice(0, 5).map((node: unknown) => JSON.stringify(typeof node === 'object' && node !== null ? Reflect.get(node, 'target') : node))
          : [],
      };
    });
    return { violations, passed };
  });
}

/** The serious and critical findings on the page as it is now. */
export async function seriousFindings(page: Page): Promise<Finding[]> {
  const { violations } = await runAxe(page);
  return violations.filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
}
