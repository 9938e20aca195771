// "Exactly N bullet points": a bullet is a line starting with -, *, +, • or a number and a dot or bracket ("1." /
// "1)"), after optional indent. Lines that are not bullets (a heading, a closing sentence) are allowed: the task asks
// for N points, not for nothing else. Nested bullets (indented under another) count as points too, since a reader
// sees them as points; the prompts ask for a flat list.
import type { Grade } from '../types';

const BULLET = /^\s*(?:[-*+•‣◦]|\d{1,3}[.)])\s+\S/;

export function bulletCount(answer: string): number {
  return answer.split('\n').filter((line) => BULLET.test(line)).length;
}

export function gradeBullets(spec: { count: number }, answer: string): Grade {
  const found = bulletCount(answer);
  return found === spec.count
    ? { pass: true, why: `Exactly ${spec.count} bullet points, as asked.` }
    : { pass: false, why: `Expected exactly ${spec.count} bullet points; found ${found}.` };
}
