/**
 * One attacker slot: a connection that plays its attack (attack-mix.ts) and, when the server ends
 * it, opens the next (at most `connectsPerSlotPerS` a second), until the attack stops.
 *
 * Paced attacks go as fast as the server lets a connection: a token bucket with the server's rate
 * and burst, charged for every message the connection sends (hello and room set-up too), that
 * starts refilling when `welcome` arrives (after the server charged the hello) and keeps one token
 * in reserve. Every frame reaches the server after we charged it, so the server's bucket holds at
 * least as many tokens as ours, except where the two caps cut refills at different moments: the
 * reserve absorbs that up to 50 ms of jitter in transit times. So the message rate limit drops no
 * attack frame (unless the server stalls and then reads a backlog at once; drops are counted), and
 * each one reaches the checks behind it. Churn slots instead open many short connections
 * (`churnOpensPerSlotPerS`, each held `churnHoldMs` after `welcome`).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Limits } from '@tickmesh/protocol';
import { type Answer, type AttackConn, openAttackConn } from './attack-conn.ts';
import { bigSettings, bigSignalFrame, type FixedFrames, guessFrame, type RoleSpec } from './attack-mix.ts';
import type { AttackSettings, RoleCounters } from './attacker-protocol.ts';

/** The slots of one room of attackers: its code once created, and each seat's current peer id. */
export interface RoomGroup {
  code: string | null;
  members: Map<number, string>;
}

export interface SlotContext {
  spec: RoleSpec;
  /** The slot's index among its attack's slots. */
  index: number;
  address: string;
  url: URL;
  settings: AttackSettings;
  counters: RoleCounters;
  frames: FixedFrames;
  /** Shared by the slots of one room (attacks played in rooms), else null. */
  room: RoomGroup | null;
  /** Seat in that room: seat 0 creates it (and in ready-toggle, as host, flips the settings). */
  seat: number;
  /** Every open connection of the attacker, so that stopping can end them. */
  live: Set<AttackConn>;
  running(): boolean;
}

const PACE_TICK_MS = 10;
/** A one-frame attack's connection still open after this is counted as `still open` and dropped. */
const ONE_FRAME_TIMEOUT_MS = 5_000;
/** How long a seat waits for seat 0 to create the room before it creates one itself. */
const ROOM_WAIT_MS = 5_000;

class TokenBucket {
  private tokens: number;
  private lastMs = performance.now();
  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) * this.ratePerS) / 1000);
    this.lastMs = now;
  }
  /** True when a message may go now, leaving one token in reserve. */
  ready(): boolean {
    this.refill();
    return this.tokens >= 2;
  }
  /** Refills from now on only: time before it earned nothing. */
  anchor(): void {
    this.lastMs = performance.now();
  }
  /** Spends a token, whether or not there is one (a set-up message must go anyway). */
  spend(): void {
    this.refill();
    this.tokens -= 1;
  }
}

/** The room code of a `room.state` answer, or null. */
function roomCodeOf(answer: Answer | null): string | null {
  const room = answer?.room;
  if (typeof room !== 'object' || room === null || !('code' in room)) return null;
  return typeof room.code === 'string' ? room.code : null;
}

const hello = (ctx: SlotContext) => JSON.stringify({ type: 'hello', name: `${ctx.spec.role}-${ctx.index}` });

/** Says hello and joins the slot's room; false when the connection is no use any more. */
async function setUp(ctx: SlotContext, conn: AttackConn, bucket: TokenBucket): Promise<boolean> {
  bucket.spend();
  const welcome = await conn.request(hello(ctx), 'welcome');
  if (welcome?.type !== 'welcome' || typeof welcome.peerId !== 'string') return false;
  bucket.anchor();
  if (ctx.spec.role === 'room-list') {
    bucket.spend();
    return (await conn.request(JSON.stringify({ type: 'room.create', public: true }), 'room.state')) !== null;
  }
  const room = ctx.room;
  if (!room) return true;
  const deadline = performance.now() + ROOM_WAIT_MS;
  while (ctx.seat !== 0 && room.code === null && performance.now() < deadline) await sleep(20);
  if (room.code !== null) {
    bucket.spend();
    const joined = await conn.request(JSON.stringify({ type: 'room.join', code: room.code }), 'room.state');
    if (joined?.type === 'room.state') {
      room.members.set(ctx.seat, welcome.peerId);
      return true;
    }
    if (!conn.isOpen()) return false;
  }
  const settings = ctx.spec.role === 'ready-toggle' ? bigSettings(false) : {};
  bucket.spend();
  const create = { type: 'room.create', public: true, maxPlayers: Limits.maxPlayers, settings };
  const code = roomCodeOf(await conn.request(JSON.stringify(create), 'room.state'));
  if (code === null) return false;
  room.code = code;
  room.members.set(ctx.seat, welcome.peerId);
  return true;
}

/** The next attack frame of a paced slot, or null when it has nothing to send yet. */
function nextFrameOf(ctx: SlotContext): () => Buffer | null {
  const { frames } = ctx;
  let flip = false;
  let mate: string | undefined;
  let toMate: Buffer | null = null;
  switch (ctx.spec.role) {
    case 'deep-nesting':
      return () => frames.deepNesting;
    case 'near-limit':
      return () => frames.nearLimit;
    case 'binary':
      return () => frames.binary;
    case 'room-list':
      return () => frames.roomList;
    case 'join-guess':
      return guessFrame;
    case 'ready-toggle':
      return () => {
        flip = !flip;
        return (ctx.seat === 0 ? frames.settings : frames.ready)[flip ? 0 : 1];
      };
    case 'big-signal':
      return () => {
        const now = [...(ctx.room?.members ?? [])].find(([seat]) => seat !== ctx.seat)?.[1];
        if (now !== mate) {
          mate = now;
          toMate = mate === undefined ? null : bigSignalFrame(mate);
        }
        return toMate;
      };
    default:
      throw new Error(`${ctx.spec.role} is not a paced attack`);
  }
}

async function playPaced(ctx: SlotContext, conn: AttackConn): Promise<void> {
  const bucket = new TokenBucket(ctx.settings.ratePerS, ctx.settings.burst);
  if (!(await setUp(ctx, conn, bucket))) {
    conn.destroy();
    return;
  }
  const next = nextFrameOf(ctx);
  const pacer = setInterval(() => {
    while (conn.isOpen() && bucket.ready()) {
      const frame = next();
      if (!frame) return;
      bucket.spend();
      conn.ws.sendFrame(frame);
      ctx.counters.frames++;
    }
  }, PACE_TICK_MS);
  await conn.closed;
  clearInterval(pacer);
}

async function play(ctx: SlotContext, conn: AttackConn): Promise<void> {
  switch (ctx.spec.pacing) {
    case 'silent':
      return conn.closed;
    case 'one-frame': {
      conn.ws.sendFrame(ctx.spec.role === 'over-limit' ? ctx.frames.overLimit : ctx.frames.invalidUtf8);
      ctx.counters.frames++;
      await Promise.race([conn.closed, sleep(ONE_FRAME_TIMEOUT_MS)]);
      if (conn.isOpen()) {
        ctx.counters.closes['still open'] = (ctx.counters.closes['still open'] ?? 0) + 1;
        conn.destroy();
      }
      return;
    }
    case 'paced':
      return playPaced(ctx, conn);
    case 'churn':
      throw new Error('churn slots do not play single connections');
  }
}

/** Opens a connection (dropped at once if the attack stopped meanwhile) and tracks it. */
async function open(ctx: SlotContext): Promise<AttackConn | null> {
  const conn = await openAttackConn(ctx.url, ctx.address, ctx.counters);
  if (!conn) return null;
  if (!ctx.running()) {
    conn.destroy();
    return null;
  }
  ctx.live.add(conn);
  void conn.closed.then(() => ctx.live.delete(conn));
  return conn;
}

/** One short connection of a churn slot: hello, hold, close. */
async function churnOnce(ctx: SlotContext): Promise<void> {
  const conn = await open(ctx);
  if (!conn) return;
  ctx.counters.frames++;
  const welcome = await conn.request(hello(ctx), 'welcome');
  if (welcome?.type === 'welcome') await Promise.race([conn.closed, sleep(ctx.settings.churnHoldMs)]);
  conn.destroy();
}

async function runChurn(ctx: SlotContext): Promise<void> {
  const { churnOpensPerSlotPerS, churnHoldMs } = ctx.settings;
  // Bounded however slow the server answers: what the slot would hold at its rate, twice over.
  const maxOpen = Math.ceil((2 * churnOpensPerSlotPerS * (churnHoldMs + 1_000)) / 1_000);
  const startedAt = performance.now();
  let opened = 0;
  let inFlight = 0;
  while (ctx.running()) {
    const due = Math.floor(((performance.now() - startedAt) * churnOpensPerSlotPerS) / 1_000);
    for (; opened < due; opened++) {
      if (inFlight >= maxOpen) {
        opened = due; // opens skipped at the bound are not made up later
        break;
      }
      inFlight++;
      void churnOnce(ctx).finally(() => inFlight--);
    }
    await sleep(PACE_TICK_MS);
  }
}

/** Plays the slot until the attack stops. */
export async function runSlot(ctx: SlotContext): Promise<void> {
  if (ctx.spec.pacing === 'churn') return runChurn(ctx);
  let nextConnectAt = 0;
  while (ctx.running()) {
    const wait = nextConnectAt - performance.now();
    if (wait > 0) await sleep(wait);
    if (!ctx.running()) return;
    nextConnectAt = performance.now() + 1_000 / ctx.settings.connectsPerSlotPerS;
    const conn = await open(ctx);
    if (!conn) continue;
    await play(ctx, conn);
    ctx.room?.members.delete(ctx.seat);
  }
}
