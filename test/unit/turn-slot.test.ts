// The one-turn-at-a-time slot every engine uses: a second turn is refused while one runs, Stop reaches only the
// turn it names, an unload stops whatever runs, and the slot frees itself however the turn ends.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../workers/errors';
import { TurnSlot } from '../../workers/engines/turn-slot';

/** A turn that runs until released, recording how often the engine was asked to stop it. */
function heldTurn() {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const stops: string[] = [];
  return { held, release: () => release(), stops };
}

describe('TurnSlot', () => {
  it('refuses a second turn while one runs with Busy, and takes one again once the first ended', async () => {
    const slot = new TurnSlot();
    const first = heldTurn();
    const running = slot.run('a', () => undefined, () => first.held.then(() => 'first'));
    await expect(slot.run('b', () => undefined, async () => 'second')).rejects.toSatisfy(
      (error) => error instanceof EngineError && error.name === 'Busy',
    );
    first.release();
    expect(await running).toBe('first');
    expect(await slot.run('c', () => undefined, async () => 'third')).toBe('third');
  });

  it('stops only the turn whose id it is given, and marks it interrupted', async () => {
    const slot = new TurnSlot();
    const turn = heldTurn();
    let seen: { interrupted: boolean } | undefined;
    const running = slot.run('mine', () => turn.stops.push('stop'), async (current) => {
      seen = current;
      await turn.held;
      return current.interrupted;
    });
    slot.interrupt('someone-else');
    expect(turn.stops).toEqual([]);
    expect(seen?.interrupted).toBe(false);
    slot.interrupt('mine');
    expect(turn.stops).toEqual(['stop']);
    turn.release();
    expect(await running).toBe(true);
    // A late Stop for a turn that has ended reaches nothing.
    slot.interrupt('mine');
    expect(turn.stops).toEqual(['stop']);
  });

  it('stopAny stops the running turn without marking it as the user\'s Stop, and does nothing when idle', async () => {
    const slot = new TurnSlot();
    slot.stopAny();
    const turn = heldTurn();
    const running = slot.run('x', () => turn.stops.push('stop'), async (current) => {
      await turn.held;
      return current.interrupted;
    });
    slot.stopAny();
    expect(turn.stops).toEqual(['stop']);
    turn.release();
    expect(await running).toBe(false);
  });

  it('frees the slot when the turn throws, and passes the error on', async () => {
    const slot = new TurnSlot();
    await expect(slot.run('x', () => undefined, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slot.run('y', () => undefined, async () => 'next')).toBe('next');
  });
});
