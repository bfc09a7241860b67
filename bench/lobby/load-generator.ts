/**
 * A load generator child process (forked by generator-pool.ts, driven over child-ipc.ts by
 * generator-protocol.ts commands). It owns a share of each server's clients, in whole rooms, so
 * the sender and receiver of every signal live here and share one clock:
 *
 * - closed loop (throughput): each client starts with `window` signals in flight; when one
 *   arrives, its sender sends the next to its next room mate. Load follows what the server
 *   delivers, and at most `clients * window` signals are ever outstanding.
 * - paced (latency): `ratePerS` signals per second, sent by the clients in turn on a 1 ms timer
 *   that catches up by the clock, whatever the server does (open loop). How late each tick fires
 *   is recorded too: the generator's own stalls, which end up in the measured latencies.
 *
 * A signal counts as delivered when its receiver reads it. Each is checked cheaply (a known sender
 * in the receiver's room, the next sequence number from that sender) and one in 64 fully
 * (JSON.parse, payload intact).
 */
import { performance } from 'node:perf_hooks';
import { ipv4Text } from './bench-addresses.ts';
import { serveParent } from './child-ipc.ts';
import { emptyCounters, type GeneratorCommand, type GeneratorReport } from './generator-protocol.ts';
import { connectLoadClient, type LoadClient, type LoadClientEvents } from './load-client.ts';
import { checkSignal, readRelayedSignal, signalFrame } from './signal-payload.ts';
import { SampleBuffer } from './stats.ts';

const FULL_CHECK_EVERY = 64;
const PACER_TICK_MS = 1;
/** Paced mode leaves out a client's turn once it has this many signals in flight. */
const PACED_MAX_IN_FLIGHT = 256;

const counters = emptyCounters();
const groups = new Map<string, LoadClient[]>();
const byPeerId = new Map<string, LoadClient>();
/** Each client's group. */
const groupOf = new WeakMap<LoadClient, string>();
let mode: 'idle' | 'closed-loop' | 'paced' = 'idle';
/** The group the load runs on (null while idle). */
let loaded: string | null = null;
let recording = false;
/** One-way latencies (ms) recorded since the last snapshot. */
const latencies = new SampleBuffer();
/** How late (ms) each pacer tick fired: the generator's own stalls (GC, descheduling). */
const stalls = new SampleBuffer();
let pacer: NodeJS.Timeout | null = null;
/** Paced mode: every n-th signal of a client is SDP-sized (0: none). */
let sdpEvery = 0;

function sendSignal(client: LoadClient): void {
  const mate = client.nextMate++ % client.mates.length;
  const to = client.mates[mate];
  if (to === undefined) return;
  const seq = (client.seqTo[mate] ?? 0) + 1;
  client.seqTo[mate] = seq;
  const sdp = sdpEvery > 0 && client.signalsSent++ % sdpEvery === 0;
  client.send(signalFrame(to, performance.now(), seq, sdp ? 'sdp' : 'candidate'));
  client.inFlight++;
  counters.sent++;
}

/** Counts gaps and repeats in the sequence from `sender` to `receiver`. */
function checkSequence(receiver: LoadClient, sender: string, seq: number): void {
  const last = receiver.lastSeqFrom.get(sender) ?? 0;
  if (seq <= last) {
    counters.seqOutOfOrder++;
    return;
  }
  counters.seqGaps += seq - last - 1;
  receiver.lastSeqFrom.set(sender, seq);
}

const events: LoadClientEvents = {
  onSignal(receiver, text) {
    counters.received++;
    const signal = readRelayedSignal(text);
    const sender = signal && byPeerId.get(signal.from);
    if (!signal || !sender || sender.room !== receiver.room || sender === receiver) {
      counters.malformed++;
      return;
    }
    if (counters.received % FULL_CHECK_EVERY === 0 && !checkSignal(text, signal.from)) counters.malformed++;
    checkSequence(receiver, signal.from, signal.seq);
    sender.inFlight--;
    if (recording) latencies.push(performance.now() - signal.sentAtMs);
    if (mode === 'closed-loop') sendSignal(sender);
  },
  onMessage(client, message) {
    if (message?.type === 'error') {
      const code = String(message.code);
      counters.errors[code] = (counters.errors[code] ?? 0) + 1;
    } else if (mode !== 'idle' || message?.type !== 'room.state') {
      // Named by the group too when it went to a client the load is not running on.
      const group = groupOf.get(client);
      const type = `${message?.type ?? 'unparsable'}${group === loaded ? '' : ` (to ${group})`}`;
      counters.unexpected[type] = (counters.unexpected[type] ?? 0) + 1;
    }
  },
  onClose(client, code) {
    if (client.closing) return;
    const key = String(code ?? 'none');
    counters.closes[key] = (counters.closes[key] ?? 0) + 1;
  },
};

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function clientsOf(group: string): LoadClient[] {
  const clients = groups.get(group) ?? [];
  groups.set(group, clients);
  return clients;
}

/** Which of `urls` the command's `k`-th new client connects to (see the `connect` command). */
function urlFor(urls: readonly string[], k: number, roomSize: number): string {
  const room = roomSize === 0 ? k : Math.floor(k / roomSize);
  const member = roomSize === 0 ? 0 : k % roomSize;
  const url = urls[(room + member) % urls.length];
  if (url === undefined) throw new Error('connect: no URL');
  return url;
}

async function connect(command: Extract<GeneratorCommand, { type: 'connect' }>) {
  const { roomSize, concurrency, forwardedForBase, urls } = command;
  const clients = clientsOf(command.group);
  const first = clients.length;
  /** The new clients by their place in the command (a failed connection leaves a hole). */
  const slots: (LoadClient | undefined)[] = new Array(command.clients);
  const places = Array.from({ length: command.clients }, (_, k) => k);
  await inBatches(places, concurrency, async (k) => {
    const index = first + k;
    const address = forwardedForBase === undefined ? undefined : ipv4Text(forwardedForBase + index);
    const result = await connectLoadClient(new URL(urlFor(urls, k, roomSize)), index, events, address);
    if (!result.ok) {
      counters.connectFailures++;
      process.stderr.write(`load-generator: client ${index}: ${result.error}\n`);
      return;
    }
    slots[k] = result.client;
    byPeerId.set(result.client.peerId, result.client);
    groupOf.set(result.client, command.group);
    counters.connected++;
  });
  clients.push(...slots.filter((client) => client !== undefined));
  if (roomSize === 0) return;
  // A room whose member failed to connect is left out (the failure is counted already).
  const rooms: LoadClient[][] = [];
  for (let k = 0; k + roomSize <= slots.length; k += roomSize) {
    const members = slots.slice(k, k + roomSize).filter((client) => client !== undefined);
    if (members.length === roomSize) rooms.push(members);
  }
  await inBatches(rooms, concurrency, (members) => formRoom(members));
}

async function formRoom(members: LoadClient[]): Promise<void> {
  const [host, ...joiners] = members;
  if (!host) return;
  const created = await host.request({ type: 'room.create' }, 'room.state');
  const code = (created.room as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') throw new Error(`room.create failed: ${JSON.stringify(created)}`);
  for (const joiner of joiners) {
    const joined = await joiner.request({ type: 'room.join', code }, 'room.state');
    if (joined.type !== 'room.state') throw new Error(`room.join failed: ${JSON.stringify(joined)}`);
  }
  for (const member of members) {
    member.room = code;
    member.mates = members.filter((m) => m !== member).map((m) => m.peerId);
    member.seqTo = member.mates.map(() => 0);
    member.nextMate = member.index % member.mates.length;
  }
}

function startPaced(group: string, ratePerS: number): void {
  const startedAt = performance.now();
  let due = 0;
  let turn = 0;
  const senders = clientsOf(group).filter((c) => c.mates.length > 0);
  let lastTickAt = startedAt;
  pacer = setInterval(() => {
    const now = performance.now();
    if (recording) stalls.push(Math.max(0, now - lastTickAt - PACER_TICK_MS));
    lastTickAt = now;
    const target = Math.floor(((now - startedAt) * ratePerS) / 1000);
    for (; due < target; due++) {
      const client = senders[turn++ % senders.length];
      if (!client) return;
      if (client.inFlight >= PACED_MAX_IN_FLIGHT) counters.skipped++;
      else sendSignal(client);
    }
  }, PACER_TICK_MS);
}

function inFlight(): number {
  let total = 0;
  for (const clients of groups.values()) for (const client of clients) total += client.inFlight;
  return total;
}

async function stop(drainTimeoutMs: number): Promise<void> {
  mode = 'idle';
  loaded = null;
  if (pacer) clearInterval(pacer);
  pacer = null;
  const deadline = performance.now() + drainTimeoutMs;
  while (inFlight() > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function report(): GeneratorReport {
  return {
    counters: structuredClone(counters),
    inFlight: inFlight(),
    latenciesMs: latencies.toArray(),
    stallsMs: stalls.toArray(),
  };
}

async function handle(command: GeneratorCommand): Promise<GeneratorReport> {
  switch (command.type) {
    case 'connect':
      await connect(command);
      return report();
    case 'closed-loop':
      mode = 'closed-loop';
      loaded = command.group;
      sdpEvery = 0;
      for (const client of clientsOf(command.group)) for (let i = 0; i < command.window; i++) sendSignal(client);
      return report();
    case 'paced':
      mode = 'paced';
      loaded = command.group;
      sdpEvery = command.sdpEvery ?? 0;
      startPaced(command.group, command.ratePerS);
      return report();
    case 'snapshot': {
      const snapshot = report();
      recording = command.recordLatency;
      latencies.clear();
      stalls.clear();
      return snapshot;
    }
    case 'stop': {
      await stop(command.drainTimeoutMs);
      const final = report();
      Object.assign(counters, emptyCounters());
      return final;
    }
    case 'disconnect': {
      const final = report();
      for (const client of clientsOf(command.group)) {
        client.destroy();
        byPeerId.delete(client.peerId);
      }
      groups.delete(command.group);
      Object.assign(counters, emptyCounters());
      return final;
    }
    default:
      return assertNever(command);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown command ${JSON.stringify(value)}`);
}

serveParent(handle);
