/**
 * The screen of a player the match started without (app/link-gate.ts `leftOut`): why, what to
 * try, and the way out. The room goes on; this page goes back to the room lobby when the round ends.
 */
import { leftOutText, type RelayState } from '../app/link-gate.js';
import { h, setText } from './dom.js';

export function createLeftOutView(actions: { leave(): void; retry(): void }) {
  const title = h('h2');
  const body = h('p.muted');
  const el = h(
    'div.left-out.panel',
    { testid: 'left-out', role: 'alert' },
    title,
    body,
    h(
      'div.row',
      {},
      h('button', { testid: 'left-out-retry', onclick: () => actions.retry() }, 'Try to connect again'),
      h('button.danger', { testid: 'left-out-leave', onclick: () => actions.leave() }, 'Leave the room'),
    ),
  );
  return {
    el,
    render(relay: RelayState): void {
      const text = leftOutText(relay);
      setText(title, text.title);
      setText(body, text.body);
    },
  };
}
