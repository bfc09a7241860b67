/** What a practice round shows over the arena: that it is practice while the room waits, and the way back. */
import { h } from './dom.js';

export interface PracticeBar {
  readonly el: HTMLElement;
  render(practising: boolean): void;
}

/**
 * @example
 * const bar = createPracticeBar(() => practice.stop());
 * ui.append(bar.el);
 * bar.render(practice.active());
 */
export function createPracticeBar(back: () => void): PracticeBar {
  const el = h(
    'div.practice-bar.panel',
    { testid: 'practice-bar', title: 'Practice against bots. It ends when a player joins your room.' },
    h('span', {}, 'Practice with bots'),
    h('button.small', { testid: 'practice-back', onclick: back }, 'Back to room'),
  );
  el.style.display = 'none';
  return {
    el,
    render(practising) {
      el.style.display = practising ? '' : 'none';
    },
  };
}
