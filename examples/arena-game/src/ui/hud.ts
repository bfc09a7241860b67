/** The in-game HUD: round timer, health, kill feed, notices, respawn timer, scoreboard and end screen. */
import { deathTitle, KILL_GLYPH, type KillLine, respawnText } from '../app/kill-feed.js';
import { css, fill, h, pingText, setText } from './dom.js';

export interface ScoreRow {
  peerId: string;
  name: string;
  color: number;
  score: number;
  deaths: number;
  pingMs: number | null;
  self: boolean;
  host: boolean;
  speaking: boolean;
  muted: boolean;
}

export interface HudModel {
  timeLeftS: number;
  hp: number | null;
  maxHp: number;
  alive: boolean;
  respawnInS: number;
  /** Who killed this player last (the death screen names them), or null. */
  killer: string | null;
  rows: readonly ScoreRow[];
  /** Tab held. */
  scoreboard: boolean;
  /** The round is over: the end screen, with seconds until the room lobby. */
  ended: { backInS: number } | null;
  micOn: boolean;
  /** The mic button's text: off, open mic or push-to-talk. */
  micLabel: string;
  /** A player's camera tile for the scoreboard, or null (none: no tiles). */
  tile?: (peerId: string) => HTMLElement | null;
}

export interface HudActions {
  mute(peerId: string): void;
  mic(): void;
  /** The Scores button (touch only: Tab's stand-in) opens or closes the scoreboard. */
  scores(): void;
  /** The Chat button (touch only: Enter's stand-in) opens the in-game chat. */
  chat(): void;
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

export function createHud(actions: HudActions) {
  const timer = h('div.timer.panel');
  const hpText = h('span');
  const hpBar = h('div');
  const hpWrap = h('div.bar', {}, hpBar);
  const mic = h('button.small', { testid: 'mic', onclick: () => actions.mic() }, 'Mic off');
  const scores = h('button.small.touch-only', { testid: 'scores', onclick: () => actions.scores() }, 'Scores');
  const chat = h('button.small.touch-only', { testid: 'chat-open', onclick: () => actions.chat() }, 'Chat');
  const feed = h('div.killfeed');
  const banner = h('div.notice-banner.panel');
  const respawn = h('div.respawn.panel', { testid: 'death-screen' });
  const board = h('div.scoreboard.panel');
  let bannerUntil = 0;
  let lastBoardKey = '';

  const el = h(
    'div.hud',
    {},
    h('div.hud-top', {}, timer),
    h(
      'div.hud-left',
      { style: 'pointer-events:auto' },
      h('div.health.panel', {}, h('div.label', {}, 'Health ', hpText), hpWrap),
      h('div.hud-buttons', {}, mic, scores, chat),
    ),
    feed,
    banner,
    respawn,
    board,
    h('div.controls-hint.panel.touch-only', {}, 'Left thumb moves · right thumb aims, push it further to shoot'),
    h(
      'div.controls-hint.panel.mouse-only',
      {},
      h('kbd', {}, 'WASD'),
      ' move · ',
      h('kbd', {}, 'click'),
      ' shoot · ',
      h('kbd', {}, 'Tab'),
      ' scores · ',
      h('kbd', {}, 'V'),
      ' talk · ',
      h('kbd', {}, 'Enter'),
      ' chat · ',
      h('kbd', {}, 'F3'),
      ' net',
    ),
  );

  function renderBoard(m: HudModel): void {
    const show = m.scoreboard || m.ended !== null;
    board.style.display = show ? '' : 'none';
    board.style.pointerEvents = show ? 'auto' : 'none';
    if (!show) return;
    const sorted = [...m.rows].sort((a, b) => b.score - a.score || a.deaths - b.deaths);
    const top = sorted[0];
    const key = JSON.stringify([sorted, m.ended?.backInS]);
    if (key === lastBoardKey) return;
    lastBoardKey = key;
    const next = sorted[1];
    const draw = top !== undefined && next !== undefined && top.score === next.score && top.deaths === next.deaths;
    const title = m.ended
      ? top && !draw
        ? h('h2', {}, h('span.winner', {}, top.self ? 'You win!' : `${top.name} wins!`))
        : h('h2', {}, draw ? 'Draw' : 'Round over')
      : h('h2', {}, 'Scoreboard');
    fill(
      board,
      title,
      m.ended
        ? h('div.muted', {}, `Back to the room in ${m.ended.backInS} s`)
        : h(
            'div.muted',
            {},
            h('span.mouse-only', {}, 'Release Tab to close'),
            h('span.touch-only', {}, 'Tap Scores to close'),
          ),
      h(
        'table',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Player'),
          h('th.num', {}, 'Kills'),
          h('th.num', {}, 'Deaths'),
          h('th.num', {}, 'Ping'),
          h('th.num', {}, 'Voice'),
        ),
        ...sorted.map((r) =>
          h(
            `tr${r.self ? '.self' : ''}`,
            { dataset: { peer: r.peerId } },
            h(
              'td',
              {},
              h(
                'div.who',
                {},
                h('span.dot', {
                  style: `background:${css(r.color)};${r.speaking ? 'box-shadow:0 0 0 3px #5ee08a' : ''}`,
                }),
                m.tile?.(r.peerId) ?? null,
                h('span.name-text', { title: r.name }, r.name),
                r.host ? h('span.pill.warm', {}, 'host') : null,
              ),
            ),
            h('td.num', {}, r.score),
            h('td.num', {}, r.deaths),
            h('td.num', {}, r.self ? '—' : pingText(r.pingMs)),
            h(
              'td.num',
              {},
              r.self ? '' : h('button.small', { onclick: () => actions.mute(r.peerId) }, r.muted ? 'Unmute' : 'Mute'),
            ),
          ),
        ),
      ),
    );
  }

  return {
    el,
    render(m: HudModel, nowMs: number): void {
      setText(timer, clock(Math.ceil(m.timeLeftS)));
      timer.classList.toggle('low', m.timeLeftS <= 10);
      const hp = m.hp ?? 0;
      setText(hpText, m.hp === null ? '' : String(hp));
      hpBar.style.width = `${(100 * hp) / m.maxHp}%`;
      hpWrap.classList.toggle('low', hp <= m.maxHp * 0.3);
      mic.classList.toggle('on', m.micOn);
      setText(mic, m.micLabel);
      const dead = !m.alive && m.hp !== null && m.ended === null;
      respawn.style.display = dead ? '' : 'none';
      // Reads as one line: "Ann got you — respawning in 2 s".
      if (dead)
        fill(
          respawn,
          h('h2', {}, deathTitle(m.killer), h('span.respawn-count', {}, ` — ${respawnText(m.respawnInS)}`)),
        );
      banner.style.display = nowMs < bannerUntil ? '' : 'none';
      renderBoard(m);
    },
    killfeed(kill: KillLine): void {
      const line = h(
        `div.panel${kill.mine ? '.you' : ''}`,
        { title: kill.says, 'aria-label': kill.says },
        h('span.killer', { style: `color:${css(kill.killer.color)}` }, kill.killer.name),
        h('span.kill-glyph', { 'aria-hidden': 'true' }, ` ${KILL_GLYPH} `),
        h('span.victim', { style: `color:${css(kill.victim.color)}` }, kill.victim.name),
      );
      feed.prepend(line);
      while (feed.children.length > 5) feed.lastElementChild?.remove();
      setTimeout(() => line.remove(), 5000);
    },
    notice(text: string, nowMs: number, forMs = 4000): void {
      setText(banner, text);
      bannerUntil = nowMs + forMs;
    },
  };
}
