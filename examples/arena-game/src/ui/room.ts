/**
 * The room lobby: code and invite link, players (host, ready, link state, ping, speaking), host
 * settings, chat, ready/start/mic, and the countdown.
 */
import type { Room } from '@tickmesh/netcode';
import { namesText, type StartGate, waitingText } from '../app/link-gate.js';
import { colorOfSeq } from '../colors.js';
import type { PeerNet } from '../net.js';
import { ROUND_LENGTHS_S, roomSettings } from '../settings.js';
import { MAPS } from '../sim/maps.js';
import { css, fill, h, pingText, setText } from './dom.js';

export interface RoomActions {
  ready(ready: boolean): void;
  start(): void;
  leave(): void;
  settings(settings: { roundS: number; map: number }): void;
  chat(text: string): void;
  mic(): void;
  mute(peerId: string): void;
  /** Tries the links that are down again, at once. */
  retryLinks(): void;
}

export interface ChatLine {
  name: string;
  text: string;
  color: number | null;
}

export interface RoomModel {
  room: Room;
  selfId: string;
  invite: string;
  peers: ReadonlyMap<string, PeerNet>;
  speaking: ReadonlySet<string>;
  muted: ReadonlySet<string>;
  micOn: boolean;
  /** The mic button's text: off, open mic or push-to-talk. */
  micLabel: string;
  voiceNote: string;
  chat: readonly ChatLine[];
  /** Server clock minus local clock, ms (for the countdown). */
  nowMs: number;
  /** The host's start gate (app/link-gate.ts): Start waits for every link. */
  gate: StartGate;
  /** Links down too long, in plain words with what to try ('' when none). */
  stuckText: string;
}

/** What a peer's link looks like in the list: a label, a tone and a sentence when it is stuck. */
export function linkBadge(peer: PeerNet | undefined, connected: boolean): { text: string; tone: string } {
  if (!connected) return { text: 'reconnecting to lobby', tone: 'warm' };
  if (!peer || peer.link === null) return { text: 'signaling', tone: 'warm' };
  switch (peer.link) {
    case 'connecting':
      return { text: 'connecting', tone: 'warm' };
    case 'connected':
      return peer.candidateType === 'relay' ? { text: 'relay', tone: 'ok' } : { text: 'direct', tone: 'ok' };
    case 'reconnecting':
      return { text: 'reconnecting', tone: 'warm' };
    case 'failed':
      return { text: 'unreachable', tone: 'bad' };
    case 'closed':
      return { text: 'closed', tone: 'bad' };
  }
}

const roundOption = (s: number) =>
  h(
    'option',
    { value: String(s) },
    s % 60 === 0 ? `${s / 60} min` : s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`,
  );

export function createRoomView(actions: RoomActions) {
  const code = h('span.room-code', { testid: 'room-code' });
  const invite = h('input', { readOnly: true });
  const copy = h(
    'button.small',
    {
      onclick: () => {
        void navigator.clipboard?.writeText(invite.value).then(
          () => setText(copy, 'Copied'),
          () => invite.select(),
        );
        setTimeout(() => setText(copy, 'Copy link'), 1500);
      },
    },
    'Copy link',
  );
  const list = h('ul');
  const problemsText = h('span');
  const retryLinks = h('button.small', { testid: 'retry-links', onclick: () => actions.retryLinks() }, 'Retry');
  const problems = h('div.peer-problems', { testid: 'link-problems' }, problemsText, retryLinks);
  const countLabel = h('span.label');
  const roundSel = h('select', {
    testid: 'round-select',
    onchange: () => actions.settings({ roundS: Number(roundSel.value), map: Number(mapSel.value) }),
  });
  for (const s of ROUND_LENGTHS_S) roundSel.append(roundOption(s));
  const mapSel = h('select', {
    testid: 'map-select',
    onchange: () => actions.settings({ roundS: Number(roundSel.value), map: Number(mapSel.value) }),
  });
  for (const m of MAPS) mapSel.append(h('option', { value: String(m.id) }, m.name));
  const settingsNote = h('div.muted', { style: 'font-size:0.82rem' });
  const chatLog = h('div.chat-log');
  const chatInput = h('input', { maxLength: 280, placeholder: 'Say something…', testid: 'chat-input' });
  chatInput.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const text = chatInput.value.trim();
    if (text) actions.chat(text);
    chatInput.value = '';
  });
  const status = h('div.grow');
  const ready = h('button', { testid: 'ready' }, 'Ready');
  const start = h('button.primary', { testid: 'start', onclick: () => actions.start() }, 'Start');
  const startWithout = h('button', { testid: 'start-without', onclick: () => actions.start() }, 'Start without');
  const mic = h('button', { testid: 'mic', onclick: () => actions.mic() }, 'Mic off');
  const leave = h('button.danger', { onclick: () => actions.leave() }, 'Leave');
  let selfReady = false;
  ready.addEventListener('click', () => actions.ready(!selfReady));
  const countdown = h('div.countdown');
  let chatShown = 0;

  const el = h(
    'div.room',
    {},
    h(
      'div.room-grid',
      {},
      h(
        'div.room-head.panel',
        {},
        h('div', {}, h('div.label', {}, 'Room code'), code),
        h('div.invite', {}, h('span.label', {}, 'Invite'), invite, copy),
      ),
      h('div.players.panel', {}, countLabel, list, problems),
      h(
        'div.side',
        {},
        h(
          'div.settings.panel',
          {},
          h('div.label', {}, 'Match settings'),
          h('label.pair', {}, h('span', {}, 'Round length'), roundSel),
          h('label.pair', {}, h('span', {}, 'Map'), mapSel),
          settingsNote,
        ),
        h('div.chat.panel', {}, h('div.label', {}, 'Chat'), chatLog, chatInput),
      ),
      h('div.room-foot.panel', {}, status, mic, leave, ready, startWithout, start),
    ),
    countdown,
  );

  function render(m: RoomModel): void {
    const { room } = m;
    const isHost = room.hostId === m.selfId;
    setText(code, room.code);
    if (invite.value !== m.invite) invite.value = m.invite;
    setText(countLabel, `Players ${room.peers.length}/${room.maxPlayers}`);

    const rows = room.peers.map((p) => {
      const self = p.id === m.selfId;
      const net = m.peers.get(p.id);
      const badge = self ? { text: 'you', tone: 'ok' } : linkBadge(net, p.connected);
      // Until the link's first stats sample: `…`, not a blank.
      const rtt = net?.rttMs ?? null;
      const ping = self ? '' : rtt === null ? pingText(null) : `${pingText(rtt)} ms`;
      const muteBtn = self
        ? h('span')
        : h(
            'button.small',
            { onclick: () => actions.mute(p.id), title: 'Mute this player' },
            m.muted.has(p.id) ? 'Unmute' : 'Mute',
          );
      return h(
        `li.player-row${self ? '.self' : ''}`,
        { dataset: { peer: p.id } },
        h(`div.avatar${m.speaking.has(p.id) ? '.speaking' : ''}`, { style: `background:${css(colorOfSeq(p.seq))}` }),
        h('div.player-name', {}, p.name, p.id === room.hostId ? h('small', {}, 'HOST') : null),
        p.id === room.hostId ? h('span') : h(`span.pill.${p.ready ? 'ok' : ''}`, {}, p.ready ? 'ready' : 'not ready'),
        h(`span.pill.${badge.tone}`, { dataset: { link: badge.text } }, badge.text),
        h('div', { style: 'display:flex;gap:.4rem;align-items:center' }, h('span.ping', {}, ping), muteBtn),
      );
    });
    fill(list, ...rows);

    setText(problemsText, m.stuckText);
    problems.style.display = m.stuckText === '' ? 'none' : '';

    const s = roomSettings(room);
    // A length off the list (a room made with `round=`) gets its own entry.
    if (!Array.from(roundSel.options).some((o) => o.value === String(s.roundS))) roundSel.append(roundOption(s.roundS));
    roundSel.value = String(s.roundS);
    mapSel.value = String(s.map);
    roundSel.disabled = mapSel.disabled = !isHost || room.state !== 'open';
    setText(settingsNote, isHost ? 'You are the host: you choose.' : 'The host chooses.');

    for (const line of m.chat.slice(chatShown)) {
      chatLog.append(
        line.color === null
          ? h('div.sys', {}, line.text)
          : h('div', {}, h('b', { style: `color:${css(line.color)}` }, line.name), line.text),
      );
      chatLog.scrollTop = chatLog.scrollHeight;
    }
    chatShown = m.chat.length;

    const self = room.peers.find((p) => p.id === m.selfId);
    selfReady = self?.ready ?? false;
    ready.classList.toggle('on', selfReady);
    setText(ready, selfReady ? 'Ready ✓' : 'Ready');
    ready.style.display = isHost ? 'none' : '';
    start.style.display = isHost ? '' : 'none';
    const others = room.peers.filter((p) => p.id !== room.hostId && p.connected);
    const allReady = others.length > 0 && others.every((p) => p.ready);
    const gated = m.gate.waitingFor.length > 0;
    start.disabled = !allReady || room.state !== 'open' || gated;
    // Everyone ready, some link still down: the host may start without them (they are told).
    const offerWithout = isHost && allReady && room.state === 'open' && m.gate.startWithout.length > 0;
    startWithout.style.display = offerWithout ? '' : 'none';
    setText(startWithout, `Start without ${namesText(m.gate.waitingFor)}`);
    mic.classList.toggle('on', m.micOn);
    setText(mic, m.micLabel);
    mic.title = m.voiceNote;
    setText(
      status,
      room.state === 'countdown'
        ? 'Get ready…'
        : isHost
          ? others.length === 0
            ? 'Waiting for players to join. Share the invite link.'
            : allReady
              ? gated
                ? waitingText(m.gate)
                : 'Everyone is ready. Start when you like.'
              : 'Waiting for everyone to be ready.'
          : selfReady
            ? 'Waiting for the host to start.'
            : 'Press Ready when you are.',
    );

    if (room.state === 'countdown' && room.countdownEndsAt !== undefined) {
      const left = Math.max(0, Math.ceil((room.countdownEndsAt - m.nowMs) / 1000));
      fill(countdown, h('div', {}, String(Math.max(1, left)), h('small', {}, 'MATCH STARTING')));
      countdown.style.display = '';
    } else countdown.style.display = 'none';
  }

  return { el, render };
}
