// Arithmetic and word problems with one numeric answer. Written for this app; each prompt asks for the number only,
// so a small model's format is not what decides.
import type { ScorecardTask } from '../types';

const ONLY = ' Reply with the number only.';

function task(id: string, prompt: string, answer: number, reference = String(answer)): ScorecardTask {
  return { id: `arithmetic-${id}`, group: 'arithmetic', prompt: prompt + ONLY, grader: { kind: 'number', answer }, reference };
}

export const ARITHMETIC_TASKS: readonly ScorecardTask[] = [
  task('multiply', 'What is 37 × 24?', 888),
  task('subtract', 'What is 1,000 − 357?', 643),
  task('divide', 'What is 7,344 divided by 18?', 408),
  task('order', 'What is 6 + 4 × 3 − 8 ÷ 2?', 14),
  task('percent', 'What is 15 % of 260?', 39),
  task('negative', 'What is −12 − 19 + 5?', -26),
  task('decimal', 'What is 2.5 × 3.2?', 8),
  task('apples', 'A shop has 48 apples. It sells 3 bags of 7 apples and then receives 15 more. How many apples does it have now?', 42),
  task('train', 'A train travels at 84 km per hour. How many kilometres does it travel in 2 hours and 30 minutes?', 210),
  task('change', 'A notebook costs $3.75. Ana buys 4 notebooks and pays with a $20 note. How many dollars of change does she get?', 5),
  task('ages', 'Ravi is 3 times as old as his daughter. In 12 years he will be twice as old as her. How old is Ravi now?', 36),
  task('minutes', 'A film starts at 18:40 and ends at 21:05. How many minutes long is it?', 145),
];
