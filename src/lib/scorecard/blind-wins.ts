// Blind-vote wins per side of a scorecard run, from the chat's blind votes. A vote names "local", "remote" or a tie,
// and the remote model that answered: a local win counts for the local side, a remote win for the sides of that
// model. Ties count for nobody. Pure.
import type { VoteRow } from '../compare';
import type { ScorecardSide } from './run-record';

export function blindWinsBySide(sides: readonly ScorecardSide[], rows: readonly VoteRow[]): Record<string, number> {
  const wins = (side: ScorecardSide): number =>
    rows.filter((row) => (side.kind === 'local' ? row.vote === 'local' : row.vote === 'remote' && row.remoteModel === side.model)).length;
  return Object.fromEntries(sides.map((side) => [side.id, wins(side)]));
}
