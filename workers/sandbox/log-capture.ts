// Console output of one sandbox run, capped so a chatty or hostile script cannot fill the page's memory or the
// message back: at most MAX_LOG_LINES lines of MAX_LOG_LINE_CHARS each; what is dropped is counted in a last line.
import { showValue } from './js-values';

export const MAX_LOG_LINES = 200;
export const MAX_LOG_LINE_CHARS = 2_000;

export class LogCapture {
  readonly #lines: string[] = [];
  #dropped = 0;

  /** One console call: strings as they are, other values as JSON-ish text, joined by spaces. */
  add(level: string, args: readonly unknown[]): void {
    if (this.#lines.length >= MAX_LOG_LINES) {
      this.#dropped += 1;
      return;
    }
    const text = args.map((arg) => (typeof arg === 'string' ? arg : showValue(arg, MAX_LOG_LINE_CHARS))).join(' ');
    const prefix = level === 'error' || level === 'warn' ? `[${level}] ` : '';
    const line = `${prefix}${text}`;
    this.#lines.push(line.length > MAX_LOG_LINE_CHARS ? `${line.slice(0, MAX_LOG_LINE_CHARS)}…` : line);
  }

  lines(): string[] {
    return this.#dropped > 0 ? [...this.#lines, `… ${this.#dropped} more console lines not kept`] : [...this.#lines];
  }
}
