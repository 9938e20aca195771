// What the client's events mean for the remote answer on screen: its figures when it ends (visible decode rate,
// cost), the notice for an answer that ended early, and how a failed call reads. Pure functions.
// Invariants:
// - The visible decode rate counts only the tokens that were shown, over the time after the first one: reasoning
//   tokens are spent before the first visible token (inside the time to first token), so counting them would
//   inflate the rate. It is kept only when measured over enough tokens and time (measured-rate.ts): an answer that
//   arrives in one burst has no rate.
// - An answer that ended early keeps its text; it is `done` with a notice, except a cut stream, which is an error.
// - Every failure reads as a named ShownError; a stop the user asked for is `stopped`, never an error.
import type { ShownError } from '../errors';
import type { RemoteAnswer } from '../types';
import { RemoteError } from './errors';
import { measuredRate } from '../measured-rate';
import { costUsd, type Price } from './pricing';
import type { IncompleteReason, RemoteDone, RemoteTiming, RemoteUsage } from './remote-api';

/** Tokens shown per second after the first one; undefined when too few tokens or too short a time to measure. */
export function visibleTokensPerS(usage: RemoteUsage, timing: RemoteTiming): number | undefined {
  const decodeMs = timing.totalMs - timing.timeToFirstTokenMs;
  return measuredRate(usage.outputTokens - usage.reasoningTokens, decodeMs);
}

/** The rate a view shows or ranks for a stored answer, recomputed so a figure stored before the rule obeys it too. */
export function remoteDecodeRate(answer: RemoteAnswer): number | undefined {
  const { usage, timeToFirstTokenMs, totalMs } = answer;
  if (!usage || timeToFirstTokenMs === undefined || totalMs === undefined) return undefined;
  return visibleTokensPerS(usage, { timeToFirstTokenMs, totalMs });
}

/** The one text for each way an answer can end early; what arrived is kept in every case. */
export function incompleteNotice(reason: IncompleteReason): ShownError {
  if (reason === 'max_output_tokens') {
    return { name: 'RemoteIncomplete', message: 'The answer reached the output token limit; what arrived is kept.' };
  }
  if (reason === 'content_filter') {
    return { name: 'RemoteIncomplete', message: 'The service stopped the answer (content filter); what arrived is kept.' };
  }
  return { name: 'RemoteStreamCut', message: 'The answer stopped part way (the connection was cut). What arrived is kept.' };
}

export type FinishedFields = Pick<
  RemoteAnswer,
  'status' | 'incomplete' | 'timeToFirstTokenMs' | 'totalMs' | 'usage' | 'costUsd' | 'tokensPerS' | 'error'
>;

/** The fields a remote answer takes from the stream's `done` event; cost only when the model has a price. */
export function finishedAnswer(event: RemoteDone, price: Price | undefined): FinishedFields {
  const { usage, timing, incomplete, incompleteReason } = event;
  const fields: FinishedFields = {
    status: incompleteReason === 'cut' ? 'error' : 'done',
    incomplete,
    timeToFirstTokenMs: timing.timeToFirstTokenMs,
    totalMs: timing.totalMs,
  };
  if (usage) {
    fields.usage = usage;
    const rate = visibleTokensPerS(usage, timing);
    if (rate !== undefined) fields.tokensPerS = rate;
    if (price) fields.costUsd = costUsd(usage, price);
  }
  if (incomplete) fields.error = incompleteNotice(incompleteReason ?? 'cut');
  return fields;
}

/** What a remote answer shows after its stream threw: stopped when the user asked, else the named error. */
export function failedAnswer(error: unknown, stoppedByUser: boolean): Pick<RemoteAnswer, 'status' | 'error'> {
  if (stoppedByUser || (error instanceof RemoteError && error.name === 'Aborted')) return { status: 'stopped' };
  const shown: ShownError =
    error instanceof RemoteError
      ? { name: error.name, message: error.message }
      : { name: 'RemoteHttp', message: error instanceof Error ? error.message : String(error) };
  return { status: 'error', error: shown };
}
