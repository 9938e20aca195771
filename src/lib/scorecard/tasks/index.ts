// The scorecard's task set, versioned: results are matched by task id, and the version goes with every export so
// two scorecards are compared only on the same set. Bump the version when a task's prompt or answer changes.
import type { TaskSet } from '../types';
import { ARITHMETIC_TASKS } from './arithmetic';
import { CODE_TASKS } from './code';
import { INSTRUCTION_TASKS } from './instructions';
import { MULTILINGUAL_TASKS } from './multilingual';
import { PICTURE_TASKS } from './pictures';

export const TASK_SET: TaskSet = {
  id: 'qwen-chat-scorecard',
  version: 1,
  tasks: [...ARITHMETIC_TASKS, ...CODE_TASKS, ...INSTRUCTION_TASKS, ...MULTILINGUAL_TASKS, ...PICTURE_TASKS],
};
