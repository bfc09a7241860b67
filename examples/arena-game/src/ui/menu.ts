/** The main menu: name, quick play, create a private room, join by code. */
import { h, setText } from './dom.js';

export interface MenuActions {
  quickplay(name: string): void;
  create(name: string): void;
  join(name: string, code: string): void;
}

export interface NoticeAction {
  label: string;
  run(): void;
}

export interface MenuView {
  readonly el: HTMLElement;
  setBusy(busy: boolean): void;
  /** `action`: a button after the text (say, Retry now), until the next notice. */
  setNotice(text: string, kind?: 'info' | 'error', action?: NoticeAction): void;
}

export function createMenu(initial: { name: string; code: string }, actions: MenuActions): MenuView {
  const name = h('input', { value: initial.name, maxLength: 24, placeholder: 'Your name', autocomplete: 'off' });
  const code = h('input', {
    value: initial.code,
    maxLength: 6,
    placeholder: 'CODE',
    autocomplete: 'off',
    spellcheck: false,
    testid: 'room-code-input',
  });
  const noticeText = h('span');
  const noticeAction = h('button.small', { testid: 'notice-action', style: 'display:none' });
  let noticeRun: (() => void) | null = null;
  noticeAction.addEventListener('click', () => noticeRun?.());
  const notice = h('div.notice', { testid: 'menu-notice' }, noticeText, noticeAction);
  const nameOrComplain = (): string | null => {
    const n = name.value.trim();
    if (n.length > 0) return n;
    view.setNotice('Pick a name first.', 'error');
    name.focus();
    return null;
  };
  const quick = h(
    'button.primary.big',
    {
      onclick: () => {
        const n = nameOrComplain();
        if (n) actions.quickplay(n);
      },
    },
    'Quick play',
  );
  const create = h(
    'button.big',
    {
      testid: 'create-room',
      onclick: () => {
        const n = nameOrComplain();
        if (n) actions.create(n);
      },
    },
    'Create private room',
  );
  const joinNow = () => {
    const n = nameOrComplain();
    const c = code.value.trim().toUpperCase();
    if (!n) return;
    if (c.length !== 6) {
      view.setNotice('Room codes have 6 characters.', 'error');
      code.focus();
      return;
    }
    actions.join(n, c);
  };
  const join = h('button', { testid: 'join-room', onclick: joinNow }, 'Join');
  code.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') joinNow();
  });
  const buttons = [quick, create, join];

  const el = h(
    'div.menu.panel',
    {},
    h('h1.logo', {}, 'tick', h('span', {}, 'mesh'), ' arena'),
    h('p.tagline', {}, 'Peer-to-peer arena shooter. Everyone in a room connects directly; the host simulates.'),
    h('label.field', {}, h('span.label', {}, 'Name'), name),
    quick,
    create,
    h('div.divider', {}, 'or join a friend'),
    h('div.row', {}, code, join),
    notice,
    h(
      'div.help',
      {},
      h('kbd', {}, 'WASD'),
      ' move · ',
      h('kbd', {}, 'mouse'),
      ' aim · ',
      h('kbd', {}, 'click'),
      '/',
      h('kbd', {}, 'Space'),
      ' shoot · ',
      h('kbd', {}, 'Tab'),
      ' scores · ',
      h('kbd', {}, 'V'),
      ' talk · ',
      h('kbd', {}, 'F3'),
      ' netgraph',
    ),
  );

  const view: MenuView = {
    el,
    setBusy(busy) {
      for (const b of buttons) b.disabled = busy;
    },
    setNotice(text, kind = 'info', action) {
      setText(noticeText, text);
      noticeRun = action?.run ?? null;
      noticeAction.style.display = action ? '' : 'none';
      setText(noticeAction, action?.label ?? '');
      notice.classList.toggle('error', kind === 'error');
    },
  };
  return view;
}
