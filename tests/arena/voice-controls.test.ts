// The arena's voice controls: the mic button's cycle (off → open mic → push-to-talk → off), what
// it says when the browser refuses, per-player mutes, who is speaking, the microphone opened on
// entering a room with voice=1, voices placed where their players are, and listening from the
// start whatever the mic button says.
import { type Room, SELF, type VoiceEvents, type VoiceResult, type VoiceStatus } from '@tickmesh/netcode';
import { createEmitter } from '@tickmesh/netcode/internals';
import { describe, expect, it } from 'vitest';
import {
  type ControlledVoice,
  createVoiceControls,
  type MicMode,
  micLabel,
  micProblem,
  nextMicMode,
} from '../../examples/arena-game/src/app/voice-controls.js';
import { playerEntityId } from '../../examples/arena-game/src/simulation.js';
import { player } from './fixtures.js';

/** A voice that records what it is told; `start()` answers `started`; playback as the library's. */
function fakeVoice(started: VoiceResult = { ok: true }) {
  const events = createEmitter<VoiceEvents>();
  const calls: string[] = [];
  const voice = {
    status: 'off' as VoiceStatus,
    listening: false as boolean,
    listen() {
      calls.push('listen');
      voice.listening = true;
    },
    async start(): Promise<VoiceResult> {
      calls.push('start');
      voice.listening = true;
      voice.status = started.ok ? 'on' : started.reason === 'cancelled' ? 'off' : started.reason;
      return started;
    },
    stop() {
      calls.push('stop');
      voice.status = 'off';
    },
    setPushToTalk: (enabled: boolean) => void calls.push(`push-to-talk ${enabled}`),
    setTalking: (down: boolean) => void calls.push(`talking ${down}`),
    setPeerMuted: (peerId: string, muted: boolean) => void calls.push(`muted ${peerId} ${muted}`),
    setSpatial: (enabled: boolean) => void calls.push(`spatial ${enabled}`),
    setListener: (pose: { x: number; y: number; angle: number }) =>
      void calls.push(`listener ${pose.x},${pose.y},${pose.angle}`),
    setPeerPosition: (peerId: string, at: { x: number; y: number } | null) =>
      void calls.push(`position ${peerId} ${at === null ? 'none' : `${at.x},${at.y}`}`),
    on: events.on,
  } satisfies ControlledVoice;
  return { voice, calls, emit: events.emit };
}

function setup(options: { started?: VoiceResult; autoStart?: boolean; withVoice?: boolean } = {}) {
  const fake = fakeVoice(options.started);
  let changes = 0;
  const controls = createVoiceControls({
    autoStart: options.autoStart ?? false,
    selfId: () => 'ann',
    changed: () => {
      changes++;
    },
  });
  if (options.withVoice !== false) controls.attach(fake.voice, () => 'ann');
  // What attach() asks (listen) is checked on its own, below.
  fake.calls.length = 0;
  return { ...fake, controls, changes: () => changes };
}

const room = (code: string, peers: string[]): Room => ({
  code,
  state: 'open',
  hostId: peers[0] ?? '',
  public: false,
  maxPlayers: 8,
  settings: {},
  peers: peers.map((id, i) => ({ id, name: id, ready: false, connected: true, seq: i + 1 })),
});

describe('mic modes', () => {
  it('a click moves off → open → push-to-talk → off', () => {
    const seen: MicMode[] = ['off'];
    for (let i = 0; i < 3; i++) seen.push(nextMicMode(seen.at(-1) as MicMode));
    expect(seen).toEqual(['off', 'open', 'ptt', 'off']);
  });

  it('the button says Mic off unless the voice is on', () => {
    expect(micLabel('off', 'on')).toBe('Mic off');
    expect(micLabel('open', 'starting')).toBe('Mic off');
    expect(micLabel('open', null)).toBe('Mic off');
    expect(micLabel('open', 'on')).toBe('Mic on');
    expect(micLabel('ptt', 'on')).toBe('Push V');
  });
});

describe('createVoiceControls', () => {
  it('cycles the microphone: open mic, push-to-talk, off, telling the page each time', async () => {
    const { controls, calls, changes } = setup();
    expect([controls.micOn(), controls.micLabel(), controls.note()]).toEqual([
      false,
      'Mic off',
      'Click to talk; V is push-to-talk.',
    ]);

    await controls.cycleMic();
    expect(calls).toEqual(['push-to-talk false', 'start']);
    expect([controls.micOn(), controls.micLabel(), controls.note()]).toEqual([
      true,
      'Mic on',
      'Open mic: everyone hears you.',
    ]);

    await controls.cycleMic();
    expect(calls.slice(2)).toEqual(['push-to-talk true']);
    expect([controls.micOn(), controls.micLabel(), controls.note()]).toEqual([true, 'Push V', 'Hold V to talk.']);

    await controls.cycleMic();
    expect(calls.slice(3)).toEqual(['stop']);
    expect([controls.micOn(), controls.micLabel(), controls.note()]).toEqual([
      false,
      'Mic off',
      'Microphone off. You still hear everyone.',
    ]);
    expect(changes()).toBe(3);
  });

  it('says why when the browser refuses the microphone, and goes back to off', async () => {
    const denied = setup({ started: { ok: false, reason: 'denied' } });
    await denied.controls.cycleMic();
    expect([denied.controls.micLabel(), denied.controls.note()]).toEqual([
      'Mic off',
      'The browser refused the microphone. You still hear everyone.',
    ]);
    await denied.controls.cycleMic();
    expect(denied.calls).toEqual(['push-to-talk false', 'start', 'push-to-talk false', 'start']);

    const missing = setup({ started: { ok: false, reason: 'no-device' } });
    await missing.controls.cycleMic('ptt');
    expect(missing.controls.note()).toBe('No microphone found. You still hear everyone.');
    expect(micProblem('unsupported')).toBe('This browser cannot use a microphone. You still hear everyone.');
    expect(micProblem('error')).toBe('The microphone did not start. You still hear everyone.');

    // A start cancelled by a later click leaves that click's words.
    const cancelled = setup({ started: { ok: false, reason: 'cancelled' } });
    await cancelled.controls.cycleMic();
    expect(cancelled.controls.note()).toBe('Click to talk; V is push-to-talk.');
  });

  it('does nothing before there is a voice', async () => {
    const { controls, calls, changes } = setup({ withVoice: false });
    await controls.cycleMic();
    expect(calls).toEqual([]);
    expect(changes()).toBe(0);
    expect(controls.status()).toBe('off');
  });

  it('V talks only in push-to-talk', async () => {
    const { controls, calls } = setup();
    controls.pushToTalk(true);
    await controls.cycleMic('open');
    controls.pushToTalk(true);
    await controls.cycleMic('ptt');
    controls.pushToTalk(true);
    controls.pushToTalk(false);
    expect(calls.filter((c) => c.startsWith('talking'))).toEqual(['talking true', 'talking false']);
  });

  it('mutes and unmutes a player', () => {
    const { controls, calls, changes } = setup();
    controls.toggleMute('bob');
    expect([...controls.muted]).toEqual(['bob']);
    controls.toggleMute('bob');
    expect([...controls.muted]).toEqual([]);
    expect(calls).toEqual(['muted bob true', 'muted bob false']);
    expect(changes()).toBe(2);
  });

  it('keeps who is speaking, the local microphone under this player’s id', () => {
    const { controls, emit } = setup();
    emit('speaking', { id: SELF, speaking: true });
    emit('speaking', { id: 'bob', speaking: true });
    expect([...controls.speaking].sort()).toEqual(['ann', 'bob']);
    emit('speaking', { id: 'bob', speaking: false });
    expect([...controls.speaking]).toEqual(['ann']);
  });

  it('with voice=1, opens the microphone on entering a room, not on its updates', async () => {
    const { controls, calls } = setup({ autoStart: true });
    controls.roomChanged({ before: null, room: null });
    expect(calls).toEqual([]);
    const first = room('AAAAAA', ['ann']);
    controls.roomChanged({ before: null, room: first });
    await Promise.resolve();
    expect(calls).toEqual(['push-to-talk false', 'start']);
    await controls.cycleMic('off');
    controls.roomChanged({ before: first, room: room('AAAAAA', ['ann', 'bob']) });
    expect(calls.filter((c) => c === 'start')).toHaveLength(1);

    const without = setup({ autoStart: false });
    without.controls.roomChanged({ before: null, room: first });
    expect(without.calls).toEqual([]);
  });

  it('places the listener at this player and every other voice at its player, or nowhere, mic off or on', async () => {
    const { controls, calls } = setup({ withVoice: false });
    const me = player({ x: 100, y: 200, angle: 1 });
    const bob = player({ x: 300, y: 400, angle: 1 });
    const world = new Map([
      [playerEntityId('ann'), me],
      [playerEntityId('bob'), bob],
    ]);
    const inRoom = room('AAAAAA', ['ann', 'bob', 'cy']);
    const placed = ['listener 100,200,1', 'position bob 300,400', 'position cy none'];
    controls.placeVoices(world, me, inRoom);
    expect(calls).toEqual([]); // no voice yet
    const fake = fakeVoice();
    controls.attach(fake.voice, () => 'ann');
    fake.calls.length = 0;
    controls.placeVoices(world, me, inRoom);
    expect(fake.calls).toEqual(placed); // listening, microphone off
    await controls.cycleMic('open');
    fake.calls.length = 0;
    controls.placeVoices(world, me, inRoom);
    expect(fake.calls).toEqual(placed);
  });

  it('listens from the moment a voice is attached, whatever the mic button says', async () => {
    const { voice, calls, emit } = fakeVoice();
    const controls = createVoiceControls({ autoStart: false, selfId: () => 'ann', changed: () => {} });
    controls.attach(voice, () => 'ann');
    expect(calls).toEqual(['listen']);
    expect([controls.micOn(), controls.status(), voice.listening]).toEqual([false, 'off', true]);
    // A talker's ring shows with the microphone off.
    emit('speaking', { id: 'bob', speaking: true });
    expect([...controls.speaking]).toEqual(['bob']);
    // Mic on, then off: only the microphone stops; the voice keeps listening and bob still rings.
    await controls.cycleMic('open');
    await controls.cycleMic('off');
    expect(calls).toEqual(['listen', 'push-to-talk false', 'start', 'stop']);
    expect(voice.listening).toBe(true);
    expect([...controls.speaking]).toEqual(['bob']);
  });

  it('a click or key lets held-back voices play, on a listening voice only', () => {
    const none = createVoiceControls({ autoStart: false, selfId: () => 'ann', changed: () => {} });
    none.gesture(); // no voice yet: nothing to do, nothing thrown
    const { controls, voice, calls } = setup();
    controls.gesture();
    expect(calls).toEqual(['listen']);
    voice.listening = false; // closed with its session
    controls.gesture();
    expect(calls).toEqual(['listen']);
  });
});
