/**
 * Whether the player is playing by touch: yes from the start where the main pointer is coarse
 * (`(pointer: coarse)`, a phone or tablet), and from then on whichever was used last, a finger
 * (or pen) or a mouse, so a laptop with a touch screen switches both ways.
 */

export interface TouchDeviceDeps {
  matchMedia(query: string): { matches: boolean };
  addEventListener(type: 'pointerdown' | 'pointermove', fn: (e: PointerEvent) => void, capture: boolean): void;
}

/**
 * Calls `changed` now with the first guess, then whenever the kind of pointer in use changes.
 *
 * @example
 * watchTouchDevice(window, (touch) => document.documentElement.classList.toggle('touch', touch));
 */
export function watchTouchDevice(deps: TouchDeviceDeps, changed: (touch: boolean) => void): void {
  let touch = deps.matchMedia('(pointer: coarse)').matches;
  changed(touch);
  const seen = (e: PointerEvent) => {
    const next = e.pointerType !== 'mouse';
    if (next === touch) return;
    touch = next;
    changed(touch);
  };
  deps.addEventListener('pointerdown', seen, true);
  // A mouse moving over the page: a desktop (touch devices emulate clicks, not moves, after a tap).
  deps.addEventListener(
    'pointermove',
    (e) => {
      if (e.pointerType === 'mouse') seen(e);
    },
    true,
  );
}
