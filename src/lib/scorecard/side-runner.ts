// What the scorecard run needs of one side: its description for the record, and a way to get one answer to one
// task. The local side goes through the engine worker, a remote side through the app's remote client; the run
// state (state/scorecard.svelte.ts) sees only this interface, so its tests hand in scripted sides.
import type { ImagePart } from '../../../common/protocol';
import type { ScorecardSide, TaskResult } from './run-record';

/** The answer and the figures a result keeps (the run record's own fields, so the two cannot drift apart). */
export type SideAnswer = {
  text: string;
  /** The answer ended early (token cap, cut stream); graded as it is. */
  incomplete?: boolean;
} & Partial<
  Pick<TaskResult, 'timeToFirstTokenMs' | 'tokensPerS' | 'inputTokens' | 'cachedInputTokens' | 'outputTokens' | 'costUsd' | 'sentBytes' | 'totalMs'>
>;

export interface AnswerRequest {
  prompt: string;
  images?: ImagePart[];
  maxTokens: number;
}

export interface ScorecardSideRunner {
  readonly side: ScorecardSide;
  /** One answer, or a thrown error with a `name` (RemoteHttp, EngineFailed, Aborted when stopped). */
  answer(request: AnswerRequest, signal: AbortSignal): Promise<SideAnswer>;
}
