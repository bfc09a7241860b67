/**
 * The signal relay between the gateways of a cluster: a signal goes from the sender's gateway
 * straight to the target's gateway, one hop, never through the home of either session (each
 * gateway knows which room its clients are in).
 *
 * - Each peer connected to this node is heard on its own channel `p:<peer>`. A signal to a peer
 *   of unknown whereabouts is published there: `<sender node>\0<room>\0<from>\0<data>`. Nobody
 *   hearing it means no such peer is connected: the sender is told `PEER_NOT_FOUND`.
 * - A signal heard from another node teaches where its sender is (`routes`, kept
 *   {@link ROUTE_TTL_MS} after its last signal): signals to that peer go to that node in batches,
 *   one message per node and turn of the event loop on channel `b:<node>`:
 *   `<sender node>\1<to>\0<room>\0<from>\0<data>\1...`.
 * - A node that no longer has the peer a batched record is for passes it on through the peer's
 *   own channel and tells the sender (`unroute`), which forgets the route.
 * - A peer whose channel could not be subscribed (the store was away) is subscribed again when
 *   the store is back (`resubscribe`).
 *
 * The relay delivers a signal only to a peer connected here and in the room the record names.
 */
import { ErrorCode, type Rid } from '@tickmesh/protocol';
import type { ByteBudget } from '../byte-budget.js';
import { bump, LimitName, type LobbyCounters } from '../metrics.js';
import type { Client } from '../registry.js';
import type { NodeMessage } from './messages.js';
import type { StateStore } from './store.js';

/** Separators of signal records between nodes: neither can occur in JSON text, peer ids or codes. */
const FIELD = '\u0000';
const RECORD = '\u0001';
/** How long a node sends a peer's signals straight to the node that peer's last signal came from. */
const ROUTE_TTL_MS = 30_000;

/** A connection to this node, as far as the relay reads it. */
export interface SignalGate {
  readonly client: Client;
  /** Its peer id once its hello is resolved. */
  readonly peerId: string | null;
  readonly closed: boolean;
}

export interface SignalRelayDeps<G extends SignalGate> {
  store: StateStore;
  nodeId: string;
  counters: LobbyCounters;
  /** Monotonic clock, ms. */
  monotonicMs: () => number;
  /** The room `gate`'s client is in, as this node knows it. */
  roomOf(gate: G): string | null;
  /** The budget of signal data `gate`'s client may still relay, if it has one. */
  budgetOf(gate: G): ByteBudget | undefined;
  /** Sends a message to another node. */
  tell(node: string, message: NodeMessage): void;
  /** Answers `client` with an error (counted by code). */
  refuse(client: Client, code: ErrorCode, message: string, rid: Rid | undefined): void;
  /** The store failed: counted, and logged once. */
  storeFailed(what: string, error: unknown): void;
}

export function createSignalRelay<G extends SignalGate>(deps: SignalRelayDeps<G>) {
  const { store, nodeId, counters, monotonicMs, roomOf, budgetOf, tell, refuse, storeFailed } = deps;
  const stats = counters.cluster;
  /** Local connections by peer id (signals are delivered to them). */
  const byPeer = new Map<string, G>();
  /**
   * Where peers connected to other nodes are, learned from the signals they sent: signals to them
   * go to that node in batches (channel `b:<node>`) instead of one publish each on their own
   * channel. A node that no longer has the peer passes the signal on and says so (`unroute`).
   */
  const routes = new Map<string, { node: string; until: number }>();
  /**
   * The batch message for each node that signal records wait for the end of this turn of the
   * event loop for, in pieces (published without joining them).
   */
  const outbox = new Map<string, string[]>();
  /** Peers connected here whose signal channel could not be subscribed (the store was away). */
  const unheard = new Set<string>();

  /** Starts delivering signals for `peerId` to `gate`. */
  function listen(peerId: string, gate: G): void {
    const previous = byPeer.get(peerId);
    byPeer.set(peerId, gate);
    if (!previous) subscribePeer(peerId);
  }

  /** `gate` closed: signals for `peerId` stop, unless another connection took them over. */
  function unlisten(peerId: string, gate: G): void {
    if (byPeer.get(peerId) !== gate) return;
    byPeer.delete(peerId);
    store.unsubscribe(`p:${peerId}`).catch((error) => storeFailed('unsubscribe', error));
  }

  function subscribePeer(peerId: string): void {
    store
      .subscribe(`p:${peerId}`, (message) => onPeerChannel(peerId, message))
      .catch((error) => {
        // Tried again once the store is back (resync).
        unheard.add(peerId);
        storeFailed('subscribe', error);
      });
  }

  /** After the store was away: peers whose channel could not be subscribed are subscribed again. */
  function resubscribe(): void {
    for (const peerId of unheard) {
      const gate = byPeer.get(peerId);
      unheard.delete(peerId);
      if (gate) subscribePeer(peerId);
    }
  }

  /** A signal from a client of this node: straight to the target's socket, here or on its gateway. */
  function signal(gate: G, to: string, dataJson: string, rid: Rid | undefined): void {
    const client = gate.client;
    const session = client.session;
    const room = roomOf(gate);
    const from = gate.peerId;
    if (room === null || from === null || to === from) return notFound(client, rid);
    const target = byPeer.get(to);
    if (target && roomOf(target) !== room) return notFound(client, rid);
    const budget = budgetOf(gate);
    if (budget && !budget.take(dataJson.length, monotonicMs())) {
      bump(counters.limitHits, LimitName.relayBytes);
      const text = 'you relayed too many signal bytes in the last seconds; this signal was dropped';
      return refuse(client, ErrorCode.RATE_LIMITED, text, rid);
    }
    const fromJson = session ? session.peerIdJson : JSON.stringify(from);
    if (target) {
      target.client.conn.send(`{"type":"signal","from":${fromJson},"data":${dataJson}}`);
      counters.signalsRelayed++;
      counters.relayedBytes += dataJson.length;
      return;
    }
    stats.signalsOut++;
    const route = routes.get(to);
    if (route && route.until > monotonicMs()) return batch(route.node, to, room, fromJson, dataJson);
    store.publish(`p:${to}`, `${nodeId}${FIELD}${room}${FIELD}${fromJson}${FIELD}${dataJson}`).then(
      (heard) => {
        if (heard === 0 && !gate.closed) notFound(client, rid);
      },
      (error) => storeFailed('publish', error),
    );
  }

  /** Publishes without waiting for an answer; the store being away is counted and logged. */
  function post(channel: string, message: string | readonly string[]): void {
    if (!store.post(channel, message)) storeFailed('publish', new Error('not connected'));
  }

  function notFound(client: Client, rid: Rid | undefined): void {
    refuse(client, ErrorCode.PEER_NOT_FOUND, 'no connected member of your room has that peer id', rid);
  }

  /** Queues a signal record for `node`: every record queued in this turn of the event loop goes in one message. */
  function batch(node: string, to: string, room: string, fromJson: string, dataJson: string): void {
    let message = outbox.get(node);
    if (!message) {
      message = [nodeId];
      outbox.set(node, message);
      if (outbox.size === 1) setImmediate(flushOutbox);
    }
    message.push(RECORD, to, FIELD, room, FIELD, fromJson, FIELD, dataJson);
  }

  function flushOutbox(): void {
    for (const [node, message] of outbox) post(`b:${node}`, message);
    outbox.clear();
  }

  /** A signal published on `peerId`'s own channel: `<sender node>\0<room>\0<from>\0<data>`. */
  function onPeerChannel(peerId: string, message: string): void {
    const nodeEnd = message.indexOf(FIELD);
    if (nodeEnd < 0) return;
    deliverSignal(peerId, message, nodeEnd + 1, message.slice(0, nodeEnd));
  }

  /** Signals another node batched for peers of this one: `<sender node>\1<to>\0<room>\0<from>\0<data>\1...`. */
  function onBatch(message: string): void {
    const records = message.split(RECORD);
    const sender = records[0] ?? '';
    for (let i = 1; i < records.length; i++) {
      const record = records[i] as string;
      const toEnd = record.indexOf(FIELD);
      if (toEnd < 0) continue;
      const to = record.slice(0, toEnd);
      if (byPeer.has(to)) {
        deliverSignal(to, record, toEnd + 1, sender);
        continue;
      }
      // Not here (any more): on through the peer's own channel, and the sender forgets the route.
      post(`p:${to}`, `${sender}${FIELD}${record.slice(toEnd + 1)}`);
      tell(sender, { k: 'unroute', p: to });
    }
  }

  /**
   * Delivers the signal record at `offset` of `message` (`<room>\0<from>\0<data>`) to `peerId`
   * if it is connected here and in that room; remembers that its sender is on `senderNode`, so an
   * answer goes straight there in a batch.
   */
  function deliverSignal(peerId: string, message: string, offset: number, senderNode: string): void {
    const roomEnd = message.indexOf(FIELD, offset);
    const fromEnd = roomEnd < 0 ? -1 : message.indexOf(FIELD, roomEnd + 1);
    const gate = byPeer.get(peerId);
    const room = gate === undefined || gate.closed ? null : roomOf(gate);
    // The record's room, compared in place.
    const inRoom = room !== null && roomEnd - offset === room.length && message.startsWith(room, offset);
    if (gate === undefined || !inRoom || fromEnd < 0) {
      stats.signalsUndelivered++;
      return;
    }
    const fromJson = message.slice(roomEnd + 1, fromEnd);
    const data = message.slice(fromEnd + 1);
    gate.client.conn.send(`{"type":"signal","from":${fromJson},"data":${data}}`);
    stats.signalsIn++;
    counters.signalsRelayed++;
    counters.relayedBytes += data.length;
    if (senderNode === nodeId) return;
    // Peer ids are base64url: their JSON is the id in quotes.
    const from = fromJson.slice(1, -1);
    const route = routes.get(from);
    const until = monotonicMs() + ROUTE_TTL_MS;
    if (route?.node === senderNode) route.until = until;
    else routes.set(from, { node: senderNode, until });
  }

  return {
    listen,
    unlisten,
    resubscribe,
    signal,
    /** The handler of this node's batch channel (`b:<node>`). */
    onBatch,
    /** Another node says `peerId` is not connected there (`unroute`): its signals go by its own channel again. */
    unroute(peerId: string): void {
      routes.delete(peerId);
    },
    /** Forgets the routes that ran out by `now` (monotonic ms). */
    expireRoutes(now: number): void {
      for (const [peerId, route] of routes) if (route.until <= now) routes.delete(peerId);
    },
  };
}
