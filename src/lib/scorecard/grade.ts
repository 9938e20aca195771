// Grades one answer to one task: the reasoning (<think> … </think>) is taken off first, so only the answer proper is
// judged; then the task's grader decides. Every grader but code's is a pure function of (spec, answer).
import { splitThinking } from '../thinking';
import { gradeBullets } from './graders/bullets';
import { gradeCode } from './graders/code';
import { gradeJsonSchema } from './graders/json';
import { gradeLanguage } from './graders/language';
import { gradeNumber } from './graders/number';
import { gradeKnownText, gradeWords } from './graders/text';
import type { Grade, RunCode, ScorecardTask } from './types';

/** The visible answer a grader reads. */
export function answerProper(answer: string): string {
  return splitThinking(answer).answer.trim();
}

/** The grade of every task but code ones (undefined for those: they need the sandbox). */
export function gradeText(task: ScorecardTask, answer: string): Grade | undefined {
  const text = answerProper(answer);
  const { grader } = task;
  switch (grader.kind) {
    case 'number':
      return gradeNumber(grader, text);
    case 'text':
      return gradeKnownText(grader, text);
    case 'json-schema':
      return gradeJsonSchema(grader, text);
    case 'bullets':
      return gradeBullets(grader, text);
    case 'words':
      return gradeWords(grader, text);
    case 'language':
      return gradeLanguage(grader, text);
    case 'code':
      return undefined;
  }
}

export async function gradeAnswer(task: ScorecardTask, answer: string, runCode: RunCode): Promise<Grade> {
  if (task.grader.kind === 'code') return gradeCode(task.grader, answerProper(answer), runCode);
  return gradeText(task, answer) ?? { pass: false, why: 'No grader for this task.' };
}
