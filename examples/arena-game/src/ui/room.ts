/**
 * The room lobby: code and invite link, players (host, ready, link state, ping, speaking), host
 * settings, chat, ready/start/mic, and the countdown.
 */
import type { PeerInfo, Room } from '@tickmesh/netcode';
import { namesText, type StartGate, waitingText } from '../app/link-gate.js';
import { colorOfSeq } from '../colors.js';
import type { PeerNet } from '../net.js';
import { ROUND_LENGTHS_S, roomSettings } from '../settings.js';
import { CUSTOM_MAP_ID, MAPS } from '../sim/maps.js';
import { type ChatLine, createChatPanel } from './chat-panel.js';
import { css, fill, h, pingText, setText } from './dom.js';
import { createPlayerControls } from './player-controls.js';

export type { ChatLine } from './chat-panel.js';

export interface RoomActions {
  ready(ready: boolean): void;
  start(): void;
  leave(): void;
  settings(settings: { roundS: number; map: number }): void;
  chat(text: string): void;
  mic(): void;
  /** The camera button: on or off. */
  camera?(): void;
  mute(peerId: string): void;
  /** Mutes or unmutes a player's chat (local). */
  muteChat(peerId: string): void;
  /** Host: removes a player from the room. */
  kick(peerId: string): void;
  /** Starts a practice round against bots (host, alone in the room). */
  practice(): void;
  /** Whether the player's Ready carries over to the next round. */
  stayReady(on: boolean): void;
  /** Tries the links that are down again, at once. */
  retryLinks(): void;
  /** Host: a custom map file picked (app/custom-map.ts checks and shares it). */
  pickMap(file: File): void;
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
  /** Players whose chat this player muted. */
  chatMuted: ReadonlySet<string>;
  /** Ready carries over to the next round. */
  stayReady: boolean;
  /** Server clock minus local clock, ms (for the countdown). */
  nowMs: number;
  /** The host's start gate (app/link-gate.ts): Start waits for every link. */
  gate: StartGate;
  /** Links down too long, in plain words with what to try ('' when none). */
  stuckText: string;
  /** The custom map: refused, being sent, received ('' when none). */
  mapNote: string;
  /** Host: members still without the custom map (Start waits). */
  mapWaiting: number;
  /** The camera button and the players' tiles (none: no camera button). */
  camera?: RoomCamera;
}

/** The camera's part of the room lobby (app/camera-controls.ts). */
export interface RoomCamera {
  on: boolean;
  label: string;
  note: string;
  /** A player's tile, or null: no camera shown. */
  tile(peerId: string): HTMLElement | null;
  /** Changes whenever a tile comes or goes. */
  key: string;
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
  mapSel.append(h('option', { value: String(CUSTOM_MAP_ID), disabled: true }, 'Custom map'));
  const mapFile = h('input', {
    type: 'file',
    accept: '.json,application/json',
    testid: 'custom-map-input',
    onchange: () => {
      const file = mapFile.files?.[0];
      if (file) actions.pickMap(file);
      mapFile.value = '';
    },
  });
  const mapFileLabel = h('label.pair', {}, h('span', {}, 'Custom map'), mapFile);
  const mapNote = h('div.muted', { testid: 'custom-map-note', style: 'font-size:0.82rem' });
  const settingsNote = h('div.muted', { style: 'font-size:0.82rem' });
  const chatPanel = createChatPanel(actions);
  const controls = createPlayerControls(actions, () => performance.now());
  let lastRowsKey = '';
  const status = h('div.grow');
  const ready = h('button', { testid: 'ready' }, 'Ready');
  const start = h('button.primary', { testid: 'start', onclick: () => actions.start() }, 'Start');
  const startWithout = h('button', { testid: 'start-without', onclick: () => actions.start() }, 'Start without');
  const mic = h('button', { testid: 'mic', onclick: () => actions.mic() }, 'Mic off');
  const cam = h('button', { testid: 'camera', onclick: () => actions.camera?.() }, 'Cam off');
  cam.style.display = 'none';
  const leave = h('button.danger', { onclick: () => actions.leave() }, 'Leave');
  let selfReady = false;
  ready.addEventListener('click', () => actions.ready(!selfReady));
  const countdown = h('div.countdown');
  const practice = h(
    'button.practice',
    { testid: 'practice', onclick: () => actions.practice(), title: 'A practice round against bots, here on your own' },
    'Play with bots while you wait',
  );
  const stayReady = h('input', {
    type: 'checkbox',
    checked: true,
    testid: 'stay-ready',
    onchange: () => actions.stayReady(stayReady.checked),
  });
  const stayReadyLabel = h(
    'label.stay-ready',
    { title: 'Stay ready for the next round when this one ends' },
    stayReady,
    'Stay ready',
  );

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
          mapFileLabel,
          mapNote,
          settingsNote,
        ),
        chatPanel.el,
      ),
      h('div.room-foot.panel', {}, status, practice, mic, cam, leave, stayReadyLabel, ready, startWithout, start),
    ),
    countdown,
  );

  function render(m: RoomModel): void {
    const { room } = m;
    const isHost = room.hostId === m.selfId;
    setText(code, room.code);
    if (invite.value !== m.invite) invite.value = m.invite;
    setText(countLabel, `Players ${room.peers.length}/${room.maxPlayers}`);

    const rowsKey = JSON.stringify([
      room.peers,
      room.hostId,
      [...m.peers.values()].map((q) => [q.id, q.link, q.candidateType]),
      [...m.muted],
      [...m.chatMuted],
      controls.key(),
      m.camera?.key ?? '',
    ]);
    // Until the link's first stats sample: `…`, not a blank.
    const pingOf = (id: string) => {
      const rtt = m.peers.get(id)?.rttMs ?? null;
      return id === m.selfId ? '' : rtt === null ? pingText(null) : `${pingText(rtt)} ms`;
    };
    const rowOf = (p: PeerInfo) => {
      const self = p.id === m.selfId;
      const net = m.peers.get(p.id);
      const badge = self ? { text: 'you', tone: 'ok' } : linkBadge(net, p.connected);
      const ping = pingOf(p.id);
      const muteBtn = self
        ? h('span')
        : h(
            'button.small',
            { onclick: () => actions.mute(p.id), title: 'Mute this player' },
            m.muted.has(p.id) ? 'Unmute' : 'Mute',
          );
      const moderation = self ? [] : controls.row(p, { chatMuted: m.chatMuted.has(p.id), host: isHost });
      return h(
        `li.player-row${self ? '.self' : ''}`,
        { dataset: { peer: p.id } },
        h(`div.avatar${m.speaking.has(p.id) ? '.speaking' : ''}`, { style: `background:${css(colorOfSeq(p.seq))}` }),
        m.camera?.tile(p.id) ?? null,
        h(
          'div.player-name',
          {},
          h('span.name-text', { title: p.name }, p.name),
          p.id === room.hostId ? h('small', {}, 'HOST') : null,
        ),
        p.id === room.hostId ? h('span') : h(`span.pill.${p.ready ? 'ok' : ''}`, {}, p.ready ? 'ready' : 'not ready'),
        h(`span.pill.${badge.tone}`, { dataset: { link: badge.text } }, badge.text),
        h('div.row-controls', {}, h('span.ping', {}, ping), muteBtn, ...moderation),
      );
    };
    // Drawn again only when something in it changed (a row swapped under a press loses the click);
    // pings and speaking rings change in place.
    if (rowsKey !== lastRowsKey) {
      lastRowsKey = rowsKey;
      fill(list, ...room.peers.map(rowOf));
    } else
      for (const row of Array.from(list.querySelectorAll<HTMLElement>('li.player-row'))) {
        const id = row.dataset.peer ?? '';
        const ping = row.querySelector('.ping');
        if (ping) setText(ping, pingOf(id));
        row.querySelector('.avatar')?.classList.toggle('speaking', m.speaking.has(id));
      }

    setText(problemsText, m.stuckText);
    problems.style.display = m.stuckText === '' ? 'none' : '';

    const s = roomSettings(room);
    // A length off the list (a room made with `round=`) gets its own entry.
    if (!Array.from(roundSel.options).some((o) => o.value === String(s.roundS))) roundSel.append(roundOption(s.roundS));
    roundSel.value = String(s.roundS);
    mapSel.value = String(s.map);
    roundSel.disabled = mapSel.disabled = !isHost || room.state !== 'open';
    mapFileLabel.style.display = isHost && room.state === 'open' ? '' : 'none';
    setText(mapNote, m.mapNote);
    mapNote.style.display = m.mapNote === '' ? 'none' : '';
    setText(settingsNote, isHost ? 'You are the host: you choose.' : 'The host chooses.');

    chatPanel.render(m.chat);

    const self = room.peers.find((p) => p.id === m.selfId);
    selfReady = self?.ready ?? false;
    ready.classList.toggle('on', selfReady);
    setText(ready, selfReady ? 'Ready ✓' : 'Ready');
    ready.style.display = stayReadyLabel.style.display = isHost ? 'none' : '';
    stayReady.checked = m.stayReady;
    start.style.display = isHost ? '' : 'none';
    const others = room.peers.filter((p) => p.id !== room.hostId && p.connected);
    const allReady = others.length > 0 && others.every((p) => p.ready);
    const gated = m.gate.waitingFor.length > 0;
    start.disabled = !allReady || room.state !== 'open' || gated || m.mapWaiting > 0;
    // Everyone ready, some link still down: the host may start without them (they are told).
    const offerWithout = isHost && allReady && room.state === 'open' && m.gate.startWithout.length > 0;
    startWithout.style.display = offerWithout ? '' : 'none';
    setText(startWithout, `Start without ${namesText(m.gate.waitingFor)}`);
    const alone = room.peers.length === 1;
    practice.style.display = isHost && alone && room.state === 'open' ? '' : 'none';
    mic.classList.toggle('on', m.micOn);
    setText(mic, m.micLabel);
    mic.title = m.voiceNote;
    cam.style.display = m.camera ? '' : 'none';
    if (m.camera) {
      cam.classList.toggle('on', m.camera.on);
      setText(cam, m.camera.label);
      cam.title = m.camera.note;
    }
    setText(
      status,
      room.state === 'countdown'
        ? 'Get ready…'
        : isHost
          ? others.length === 0
            ? 'Waiting for players to join. Share the invite link, or practise against bots meanwhile.'
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
