// The touch sticks' arithmetic: a thumb's travel becomes a capped deflection; the move stick gives
// the eight directions the keys give (each owning a 45° sector), nothing inside its dead zone; the
// aim stick aims past a small dead zone and fires past a larger one. And which kind of pointer is
// in use: a coarse one from the start, then whichever was used last.
import { describe, expect, it } from 'vitest';
import { parseArenaInput } from '../../examples/arena-game/src/simulation.js';
import {
  aimStickOf,
  deflection,
  moveOf,
  REST,
  touchStickDefaults,
} from '../../examples/arena-game/src/touch-sticks.js';
import { type TouchDeviceDeps, watchTouchDevice } from '../../examples/arena-game/src/ui/touch-device.js';

const R = touchStickDefaults.radiusPx;
const DEAD = touchStickDefaults.moveDeadZone;

describe('deflection', () => {
  it('is the travel over the radius, capped at full', () => {
    expect(deflection(R / 2, 0, R)).toEqual({ x: 0.5, y: 0, amount: 0.5 });
    const full = deflection(0, -3 * R, R);
    expect(full.amount).toBe(1);
    expect(full.x).toBeCloseTo(0);
    expect(full.y).toBeCloseTo(-1);
  });

  it('is at rest where the thumb landed', () => {
    expect(deflection(0, 0, R)).toEqual(REST);
  });
});

describe('moveOf', () => {
  const at = (degrees: number, amount = 1) => {
    const rad = (degrees * Math.PI) / 180;
    return moveOf({ x: Math.cos(rad) * amount, y: Math.sin(rad) * amount, amount }, DEAD);
  };

  it('gives the eight key directions (y down the screen)', () => {
    expect([0, 45, 90, 135, 180, 225, 270, 315].map((d) => at(d))).toEqual([
      { mx: 1, my: 0 },
      { mx: 1, my: 1 },
      { mx: 0, my: 1 },
      { mx: -1, my: 1 },
      { mx: -1, my: 0 },
      { mx: -1, my: -1 },
      { mx: 0, my: -1 },
      { mx: 1, my: -1 },
    ]);
  });

  it('rounds to the nearest direction: 22° is still right, 23° is down-right', () => {
    expect(at(22)).toEqual({ mx: 1, my: 0 });
    expect(at(23)).toEqual({ mx: 1, my: 1 });
    expect(at(-22)).toEqual({ mx: 1, my: 0 });
    expect(at(-100)).toEqual({ mx: 0, my: -1 });
  });

  it('stands still inside the dead zone, runs past it', () => {
    expect(at(0, DEAD * 0.9)).toEqual({ mx: 0, my: 0 });
    expect(at(0, DEAD)).toEqual({ mx: 1, my: 0 });
  });

  it('always gives an input the network accepts', () => {
    for (let d = -360; d <= 360; d += 7.5) {
      const { mx, my } = at(d);
      expect(parseArenaInput({ mx, my, aim: 0, fire: false })).not.toBeNull();
    }
  });
});

describe('aimStickOf', () => {
  it('aims where it is pushed, in 256ths of a turn (up is 192)', () => {
    expect(aimStickOf(deflection(R, 0, R), touchStickDefaults).aim).toBe(0);
    expect(aimStickOf(deflection(0, R, R), touchStickDefaults).aim).toBe(64);
    expect(aimStickOf(deflection(0, -R, R), touchStickDefaults).aim).toBe(192);
  });

  it('keeps the last aim under a resting thumb, aims without firing, then fires further out', () => {
    const { aimDeadZone, fireDeadZone } = touchStickDefaults;
    expect(aimStickOf(deflection(R * aimDeadZone * 0.5, 0, R), touchStickDefaults)).toEqual({ aim: null, fire: false });
    expect(aimStickOf(deflection(-R * (aimDeadZone + fireDeadZone) * 0.5, 0, R), touchStickDefaults)).toEqual({
      aim: 128,
      fire: false,
    });
    expect(aimStickOf(deflection(-R * fireDeadZone, 0, R), touchStickDefaults)).toEqual({ aim: 128, fire: true });
  });
});

describe('watchTouchDevice', () => {
  function fakeWindow(coarse: boolean) {
    const listeners: Record<string, ((e: PointerEvent) => void)[]> = {};
    const deps: TouchDeviceDeps = {
      matchMedia: (query) => ({ matches: coarse && query === '(pointer: coarse)' }),
      addEventListener: (type, fn) => {
        listeners[type] = [...(listeners[type] ?? []), fn];
      },
    };
    const fire = (type: 'pointerdown' | 'pointermove', pointerType: string) => {
      for (const fn of listeners[type] ?? []) fn({ pointerType } as PointerEvent);
    };
    return { deps, fire };
  }

  it('starts with touch on a coarse pointer, and follows the kind used last', () => {
    const w = fakeWindow(true);
    const seen: boolean[] = [];
    watchTouchDevice(w.deps, (on) => seen.push(on));
    w.fire('pointerdown', 'touch');
    w.fire('pointermove', 'mouse');
    w.fire('pointermove', 'mouse');
    w.fire('pointerdown', 'pen');
    expect(seen).toEqual([true, false, true]);
  });

  it('starts without touch on a fine pointer; a finger moving does not count as a mouse', () => {
    const w = fakeWindow(false);
    const seen: boolean[] = [];
    watchTouchDevice(w.deps, (on) => seen.push(on));
    w.fire('pointermove', 'touch');
    expect(seen).toEqual([false]);
    w.fire('pointerdown', 'touch');
    w.fire('pointermove', 'touch');
    expect(seen).toEqual([false, true]);
  });
});
