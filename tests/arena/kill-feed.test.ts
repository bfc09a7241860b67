import { describe, expect, it } from 'vitest';
import { deathText, deathTitle, killLine, respawnText } from '../../examples/arena-game/src/app/kill-feed.js';

const ann = { name: 'Ann', color: 0x35e0c1 };
const bob = { name: 'Bob', color: 0xff9f43 };

describe('kill feed and death screen', () => {
  it('names killer then victim, each in their colour, with the sentence', () => {
    expect(killLine(ann, bob, { killer: false, victim: false })).toEqual({
      killer: ann,
      victim: bob,
      mine: false,
      says: 'Ann eliminated Bob',
    });
  });

  it('this player as the killer or the victim: "You" or "you", and the line stands out', () => {
    const mineKill = killLine(ann, bob, { killer: true, victim: false });
    expect(mineKill).toMatchObject({
      killer: { name: 'You', color: ann.color },
      mine: true,
      says: 'You eliminated Bob',
    });
    const mineDeath = killLine(ann, bob, { killer: false, victim: true });
    expect(mineDeath).toMatchObject({
      victim: { name: 'you', color: bob.color },
      mine: true,
      says: 'Ann eliminated you',
    });
  });

  it('the death screen names the killer and counts whole seconds up', () => {
    expect(deathText('Ann', 1.2)).toBe('Ann got you — respawning in 2 s');
    expect(deathText('Ann', 2)).toBe('Ann got you — respawning in 2 s');
    expect(deathText(null, 0.01)).toBe('Eliminated — respawning in 1 s');
    expect(respawnText(-0.5)).toBe('respawning in 0 s');
    expect(deathTitle('Bob')).toBe('Bob got you');
  });
});
