// The one answer an engine runs at a time, shared by the three engines: a second request while one runs is refused
// (Busy), Stop reaches only the request it names, and an unload stops whatever runs.
import { engineError } from '../errors';

export interface RunningTurn {
  readonly requestId: string;
  /** Set once Stop was asked for this request: the answer then ends as 'aborted'. */
  readonly interrupted: boolean;
}

interface Slot extends RunningTurn {
  interrupted: boolean;
  stop: () => void;
}

export class TurnSlot {
  #current: Slot | undefined;

  /** Runs `work` as the engine's one turn; `stop` is how this engine stops it (an abort signal, an interrupt). */
  async run<T>(requestId: string, stop: () => void, work: (turn: RunningTurn) => Promise<T>): Promise<T> {
    if (this.#current) throw engineError('Busy');
    const turn: Slot = { requestId, interrupted: false, stop };
    this.#current = turn;
    try {
      return await work(turn);
    } finally {
      if (this.#current === turn) this.#current = undefined;
    }
  }

  /** Stops the turn with this id, if it is the one running; a no-op otherwise (a late Stop for an ended turn). */
  interrupt(requestId: string): void {
    const turn = this.#current;
    if (turn?.requestId !== requestId) return;
    turn.interrupted = true;
    turn.stop();
  }

  /** Stops whatever runs (an unload). */
  stopAny(): void {
    this.#current?.stop();
  }
}
