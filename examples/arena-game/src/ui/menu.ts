/**
 * The main menu: name, quick play, create a private room, join by code. Opened from an invite, it
 * leads with "Join Ann's room" (Enter in the name field joins), and the rest steps back.
 */
import { h, setText } from './dom.js';
import { possessive } from './names.js';

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
  /** Puts the cursor in the name field (once the menu is on the page). */
  focusName(): void;
}

/** What the menu starts with: the remembered name, and the invite the page was opened from. */
export interface MenuInitial {
  name: string;
  code: string;
  /** Opened from an invite: the inviter's name, if the link said. */
  invite?: { from: string | null };
}

/** The invite's button: "Join Ann's room", or "Join room ABC234" when the link did not say whose. */
export function inviteButtonText(code: string, from: string | null): string {
  return from ? `Join ${possessive(from)} room` : `Join room ${code}`;
}

export function createMenu(initial: MenuInitial, actions: MenuActions): MenuView {
  const invited = initial.invite !== undefined && initial.code !== '';
  const name = h('input', { value: initial.name, maxLength: 24, placeholder: 'Your name', autocomplete: 'off' });
  const code = h('input', {
    // The invite's room has its own button; this field is for another.
    value: invited ? '' : initial.code,
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
    invited ? 'button.big.secondary' : 'button.primary.big',
    {
      onclick: () => {
        const n = nameOrComplain();
        if (n) actions.quickplay(n);
      },
    },
    'Quick play',
  );
  const create = h(
    invited ? 'button.big.secondary' : 'button.big',
    {
      testid: 'create-room',
      onclick: () => {
        const n = nameOrComplain();
        if (n) actions.create(n);
      },
    },
    'Create private room',
  );
  const joinNow = (c = code.value.trim().toUpperCase()) => {
    const n = nameOrComplain();
    if (!n) return;
    if (c.length !== 6) {
      view.setNotice('Room codes have 6 characters.', 'error');
      code.focus();
      return;
    }
    actions.join(n, c);
  };
  const join = h('button', { testid: 'join-room', onclick: () => joinNow() }, 'Join');
  code.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') joinNow();
  });
  const joinInvite = invited
    ? h(
        'button.primary.big.invite-join',
        { testid: 'join-invite', onclick: () => joinNow(initial.code) },
        inviteButtonText(initial.code, initial.invite?.from ?? null),
      )
    : null;
  // Enter in the name field does what the loudest button does.
  name.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    if (invited) joinNow(initial.code);
    else quick.click();
  });
  const buttons = joinInvite ? [joinInvite, quick, create, join] : [quick, create, join];

  const el = h(
    'div.menu.panel',
    {},
    h('h1.logo', {}, 'tick', h('span', {}, 'mesh'), ' arena'),
    h('p.tagline', {}, 'Peer-to-peer arena shooter. Everyone in a room connects directly; the host simulates.'),
    h('label.field', {}, h('span.label', {}, 'Name'), name),
    joinInvite,
    joinInvite ? h('div.divider', {}, 'or') : null,
    quick,
    create,
    h('div.divider', {}, joinInvite ? 'or join another room' : 'or join a friend'),
    h('div.row', {}, code, join),
    notice,
    h('div.help.touch-only', {}, 'In a match: left thumb moves, right thumb aims and shoots.'),
    h(
      'div.help.mouse-only',
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
    focusName() {
      name.focus();
      // The cursor after a remembered name, ready to type or press Enter.
      name.setSelectionRange(name.value.length, name.value.length);
    },
  };
  return view;
}
