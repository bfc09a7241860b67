/**
 * A hostile member of the room against the host, over the memory transport on a simulated clock:
 * while a host and two honest clients play the dots game, the stranger sends the host 20,000 raw
 * frames in 20 s (hostile-frames.ts: inputs for far-future, far-past and in-window ticks, frames
 * over the channel limits, extension types, whole-frame nesting, reliable events, pings, garbage).
 *
 * The host's heap (measured after forced collections) must grow by less than 5 MB, the honest
 * game must go on exactly as in the same run without the attack (the host's states tick for tick,
 * every honest input stepped as sent, every view correct), and every refusal must be counted by
 * reason. Before the limits, the far-future inputs alone kept about 60 MB on the host; the last
 * test shows this measurement sees such a leak.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type FrameDrops, playerEntityId, type SyncTuning } from '@tickmesh/netcode';
import {
  createRoom,
  type DotsInput,
  type DotsRoom,
  type DotsState,
  dotOf,
  dotsGame,
  wanderScript,
} from '@tickmesh/netcode/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAttack, type HostileKind } from '../hostile-frames.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Bytes of V8 heap in use once garbage is collected. */
function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const HONEST = ['a', 'b', 'h'];
const CLIENTS = ['a', 'b'];
const PLAYERS = [...HONEST, 'x'].sort();
const ATTACK_FROM_MS = 3_000;
const ATTACK_MS = 20_000;
const PACKETS = 20_000;
const STOP_TICK = 24 * 60;
const END_MS = 26_000;
const MB = 1024 * 1024;

interface Run {
  room: DotsRoom;
  /** A checksum of the host's state at each tick. */
  checksums: number[];
  /** Ticks where the host stepped an honest client's input other than the one it sampled. */
  wrongInputs: string[];
  comparedInputs: number;
  /** How far clients drew the other honest players from the host's truth at their render tick, px. */
  drawErrors: number[];
  heapGrowth: number;
  made: Record<HostileKind, number> | null;
}

function play(attack: boolean, tuning: Partial<SyncTuning> = {}): Run {
  const wander = wanderScript(5, STOP_TICK);
  /** Inputs the clients sampled that the host has not stepped yet, by client and tick. */
  const pending = new Map(CLIENTS.map((id) => [id, new Map<number, DotsInput>()]));
  const room = createRoom({
    game: dotsGame,
    ids: HONEST,
    conditions: { latencyMs: 25 },
    seed: 3,
    tuning,
    record: false,
    script(peer, tick) {
      const input = wander(peer, tick);
      pending.get(peer)?.set(tick, input);
      return input;
    },
  });
  const stranger = room.network.join('x');
  const host = room.peers.get('h')?.engine;
  if (host === undefined) throw new Error('no host');
  const run: Run = {
    room,
    checksums: [],
    wrongInputs: [],
    comparedInputs: 0,
    drawErrors: [],
    heapGrowth: 0,
    made: null,
  };
  const truth = new Map<number, DotsState>();
  host.on('tick', ({ tick, state, inputs }) => {
    run.checksums[tick] = checksum(state);
    truth.set(tick, state);
    truth.delete(tick - 120);
    for (const id of CLIENTS) {
      const sampled = pending.get(id)?.get(tick);
      if (sampled === undefined) continue;
      pending.get(id)?.delete(tick);
      run.comparedInputs++;
      if (JSON.stringify(inputs.get(id)) !== JSON.stringify(sampled)) run.wrongInputs.push(`${id}@${tick}`);
    }
  });
  for (const peer of room.peers.values()) peer.engine.start({ hostId: 'h', players: PLAYERS });

  room.clock.advance(ATTACK_FROM_MS);
  const before = attack ? heapUsed() : 0;
  const hostile = attack ? createAttack(9) : null;
  const perStep = PACKETS / (ATTACK_MS / 10);
  for (let step = 0, sent = 0; step < ATTACK_MS / 10; step++) {
    for (let i = 0; i < perStep && hostile !== null; i++, sent++) {
      const frame = hostile.frame(sent, host.stats().tick);
      stranger.sendFrame('h', frame.bytes, { reliable: frame.reliable });
    }
    room.clock.advance(10);
    if (step % 25 === 0) run.drawErrors.push(...drawErrors(room, truth));
  }
  room.clock.advanceTo(1_000 + END_MS);
  if (attack) run.heapGrowth = heapUsed() - before;
  run.made = hostile?.made ?? null;
  return run;
}

function checksum(state: DotsState): number {
  let sum = 17;
  for (const [id, dot] of state.dots) {
    for (const v of [id, dot.x * 16, dot.y * 16, dot.score, dot.fire ? 1 : 0]) sum = (Math.imul(sum, 31) + v) | 0;
  }
  return sum;
}

function drawErrors(room: DotsRoom, truth: ReadonlyMap<number, DotsState>): number[] {
  const errors: number[] = [];
  for (const viewer of CLIENTS) {
    const view = room.peers.get(viewer)?.engine.view();
    if (!view) continue;
    const t = view.renderTick;
    const f = t - Math.floor(t);
    for (const other of HONEST) {
      if (other === viewer) continue;
      const drawn = view.entities.get(playerEntityId(other))?.fields;
      const a = dotOf(truth.get(Math.floor(t)), other);
      const b = dotOf(truth.get(Math.ceil(t)), other);
      if (drawn === undefined || a === undefined || b === undefined) continue;
      errors.push(Math.hypot(drawn.x - (a.x + (b.x - a.x) * f), drawn.y - (a.y + (b.y - a.y) * f)));
    }
  }
  return errors;
}

let calm: Run;
let attacked: Run;

beforeAll(() => {
  calm = play(false); // also warms the JIT before the measured run
  attacked = play(true);
}, 60_000);

describe('a hostile member sends the host 20,000 raw frames in 20 s (memory transport)', () => {
  it('grows the host heap by less than 5 MB', () => {
    expect(attacked.made).not.toBeNull();
    expect(Object.values(attacked.made ?? {}).reduce((a, b) => a + b, 0)).toBe(PACKETS);
    expect(attacked.heapGrowth, `${(attacked.heapGrowth / MB).toFixed(2)} MB`).toBeLessThan(5 * MB);
  });

  it('leaves the honest game exactly as it was without the attack', () => {
    expect(attacked.wrongInputs).toEqual([]);
    expect(attacked.comparedInputs).toBeGreaterThan(2 * 22 * 60);
    const ticks = Math.min(calm.checksums.length, attacked.checksums.length);
    expect(ticks).toBeGreaterThan(25 * 60);
    let differing = 0;
    for (let t = 1; t < ticks; t++) if (calm.checksums[t] !== attacked.checksums[t]) differing++;
    expect(differing).toBe(0);
  });

  it('keeps every honest view correct', () => {
    expect(attacked.drawErrors.length).toBeGreaterThan(300);
    expect(Math.max(...attacked.drawErrors)).toBeLessThan(12);
    const host = attacked.room.peers.get('h')?.engine.view()?.state;
    for (const id of CLIENTS) {
      const view = attacked.room.peers.get(id)?.engine.view();
      for (const of of HONEST) {
        const truth = dotOf(host, of);
        const drawn = view?.entities.get(playerEntityId(of))?.fields;
        expect(truth).toBeDefined();
        expect(Math.hypot((drawn?.x ?? 0) - (truth?.x ?? 0), (drawn?.y ?? 0) - (truth?.y ?? 0))).toBeLessThan(0.5);
      }
      expect(attacked.room.peers.get(id)?.engine.status).toEqual({ kind: 'playing', hostId: 'h', hostSilent: false });
    }
  });

  it('counts every refusal by reason, on the transport and in the sync stats', () => {
    const made = attacked.made as Record<HostileKind, number>;
    const dropped = attacked.room.peers.get('h')?.endpoint.dropped as FrameDrops;
    expect(dropped.oversize).toBe(made.oversize);
    expect(dropped.extension).toBe(made.extension);
    expect(dropped.depth).toBe(made.depth);
    const stats = attacked.room.peers.get('h')?.engine.stats();
    expect(stats?.dropped.tickWindow).toBeGreaterThan(made.future * 64 * 0.5);
    expect(stats?.dropped.budget).toBeGreaterThan(1_000);
    expect(stats?.packetsIgnored).toBeGreaterThan(made.event * 0.5); // events from a non-host
    expect(stats?.packetsInvalid).toBeGreaterThan(made.garbage * 0.5);
    for (const id of CLIENTS) {
      expect(attacked.room.peers.get(id)?.engine.stats().dropped).toEqual({
        tickWindow: 0,
        inputCap: 0,
        budget: 0,
        eventRate: 0,
      });
    }
  });

  it('is measured by a probe that sees the leak when the limits are opened wide', () => {
    const open = play(true, {
      maxInputLeadMs: 2 ** 40,
      maxInputsPerPlayer: Number.POSITIVE_INFINITY,
      peerPacketsPerS: 1e9,
      peerPacketBurst: 1e9,
    });
    // About 6,000 packets of 64 far-future inputs each, all kept.
    expect(open.heapGrowth, `${(open.heapGrowth / MB).toFixed(2)} MB`).toBeGreaterThan(10 * MB);
  }, 30_000);
});
