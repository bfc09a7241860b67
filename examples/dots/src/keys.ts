/**
 * Keyboard input: arrow keys or WASD move, space scores. A tap of space shorter than a tick still
 * counts: it is latched until the next `sample()`. Keys typed into a text field are left alone.
 */
import type { Axis, Input } from './game.js';

const MOVE: Record<string, [axis: 'dx' | 'dy', sign: -1 | 1]> = {
  ArrowLeft: ['dx', -1],
  KeyA: ['dx', -1],
  ArrowRight: ['dx', 1],
  KeyD: ['dx', 1],
  ArrowUp: ['dy', -1],
  KeyW: ['dy', -1],
  ArrowDown: ['dy', 1],
  KeyS: ['dy', 1],
};
const isGameKey = (code: string) => code === 'Space' || Object.hasOwn(MOVE, code);
const typing = (event: KeyboardEvent) => event.target instanceof HTMLInputElement;
const axis = (neg: boolean, pos: boolean): Axis => (neg === pos ? 0 : pos ? 1 : -1);

/** Listens on `target` and returns the sampler a session calls once per tick. */
export function listenToKeys(target: Window): { sample(): Input } {
  const held = new Set<string>();
  let fireLatched = false;
  target.addEventListener('keydown', (event) => {
    if (typing(event) || !isGameKey(event.code)) return;
    event.preventDefault(); // no page scrolling, no space "clicking" a focused button
    held.add(event.code);
    if (event.code === 'Space' && !event.repeat) fireLatched = true;
  });
  target.addEventListener('keyup', (event) => {
    if (!isGameKey(event.code)) return;
    held.delete(event.code);
    if (!typing(event)) event.preventDefault();
  });
  target.addEventListener('blur', () => held.clear());

  const down = (name: 'dx' | 'dy', sign: -1 | 1) =>
    [...held].some((code) => MOVE[code]?.[0] === name && MOVE[code]?.[1] === sign);
  return {
    sample() {
      const fire = fireLatched || held.has('Space');
      fireLatched = false;
      return { dx: axis(down('dx', -1), down('dx', 1)), dy: axis(down('dy', -1), down('dy', 1)), fire };
    },
  };
}
