/**
 * The touch controls of a match: a move stick under the left thumb and an aim stick under the
 * right, each a floating stick (it centres where the thumb lands in its half of the screen, and
 * rests in its bottom corner), both usable at once (each follows one pointer by its id). Pushed
 * past its dead zone the aim stick fires. The layer lies under the HUD, so the HUD's buttons and
 * the scoreboard still take their taps, and it takes every touch that reaches it: no scrolling,
 * zooming, emulated mouse clicks or crosshair jumps while playing.
 */
import {
  aimStickOf,
  type Deflection,
  deflection,
  moveOf,
  REST,
  type TouchStickTuning,
  touchStickDefaults,
} from '../touch-sticks.js';
import { h } from './dom.js';

/** The sticks' controls now: movement as keys give it, the last aim given (null: none yet), fire. */
export interface TouchState {
  mx: -1 | 0 | 1;
  my: -1 | 0 | 1;
  aim: number | null;
  fire: boolean;
}

export interface TouchControls {
  /** The layer: put it under the HUD (before it in `#ui`). */
  readonly el: HTMLElement;
  state(): TouchState;
  /** In a match (gameplay input taken) or not. */
  setActive(active: boolean): void;
  /** Playing by touch (see ui/touch-device.ts) or not: the sticks show only then. */
  setTouchDevice(touch: boolean): void;
}

interface Stick {
  readonly zone: HTMLElement;
  deflection(): Deflection;
  release(): void;
}

/** One floating stick in `zone`: follows the first pointer that lands there until it lifts. */
function createStick(
  kind: 'move' | 'aim',
  radiusPx: number,
  changed: (d: Deflection, base: HTMLElement) => void,
): Stick {
  const knob = h('div.stick-knob');
  const label = h('span.stick-label', {}, kind === 'move' ? 'Move' : 'Aim · shoot');
  const base = h(`div.stick.stick-${kind}`, { testid: `${kind}-stick` }, label, knob);
  const zone = h(`div.touch-zone.touch-zone-${kind}`, {}, base);
  let pointer: number | null = null;
  let origin = { x: 0, y: 0 };
  let current: Deflection = REST;

  const show = () => {
    knob.style.transform = `translate(${current.x * radiusPx}px, ${current.y * radiusPx}px)`;
    base.classList.toggle('held', pointer !== null);
    changed(current, base);
  };
  const release = () => {
    pointer = null;
    current = REST;
    base.style.left = '';
    base.style.top = '';
    show();
  };

  zone.addEventListener('pointerdown', (e) => {
    if (pointer !== null || e.pointerType === 'mouse') return;
    pointer = e.pointerId;
    zone.setPointerCapture?.(e.pointerId);
    const box = zone.getBoundingClientRect();
    origin = { x: e.clientX, y: e.clientY };
    base.style.left = `${e.clientX - box.left}px`;
    base.style.top = `${e.clientY - box.top}px`;
    current = REST;
    show();
  });
  zone.addEventListener('pointermove', (e) => {
    if (e.pointerId !== pointer) return;
    current = deflection(e.clientX - origin.x, e.clientY - origin.y, radiusPx);
    show();
  });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture'] as const)
    zone.addEventListener(type, (e) => {
      if (e.pointerId === pointer) release();
    });
  return { zone, deflection: () => current, release };
}

/**
 * @example
 * const touch = createTouchControls();
 * ui.prepend(touch.el);
 * watchTouchDevice(window, (on) => touch.setTouchDevice(on));
 * // each tick: const { mx, my, aim, fire } = touch.state();
 */
export function createTouchControls(tuning: TouchStickTuning = touchStickDefaults): TouchControls {
  let active = false;
  let touchDevice = false;
  let lastAim: number | null = null;
  const el = h('div.touch-controls');
  const move = createStick('move', tuning.radiusPx, () => {});
  const aim = createStick('aim', tuning.radiusPx, (d, base) => {
    const stick = aimStickOf(d, tuning);
    if (stick.aim !== null) lastAim = stick.aim;
    base.classList.toggle('firing', stick.fire);
  });
  el.append(move.zone, aim.zone);
  // Every touch on the layer is the game's: no page scroll or zoom, no emulated mouse after it,
  // and none reaching the scene's pointer (which would draw the mouse's crosshair where it lifts).
  for (const type of ['touchstart', 'touchmove', 'touchend', 'touchcancel'] as const)
    el.addEventListener(type, (e) => e.preventDefault(), { passive: false });
  el.addEventListener('contextmenu', (e) => e.preventDefault());

  const render = () => {
    const shown = active && touchDevice;
    el.style.display = shown ? '' : 'none';
    if (!shown) {
      move.release();
      aim.release();
    }
  };
  render();

  return {
    el,
    state() {
      if (!active || !touchDevice) return { mx: 0, my: 0, aim: null, fire: false };
      const { mx, my } = moveOf(move.deflection(), tuning.moveDeadZone);
      return { mx, my, aim: lastAim, fire: aimStickOf(aim.deflection(), tuning).fire };
    },
    setActive(next) {
      active = next;
      render();
    },
    setTouchDevice(next) {
      touchDevice = next;
      // Back on a mouse: the mouse aims again.
      if (!next) lastAim = null;
      render();
    },
  };
}
