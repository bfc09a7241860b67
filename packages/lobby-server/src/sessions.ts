/**
 * The sessions a lobby holds: one per peer id, found by token or by id, each with its session
 * machine (run on pure transitions, see machines/machine-runner.ts) and its byte budgets. A session
 * outlives its socket for the reconnect grace; this module keeps the address accounting of that
 * grace and remembers expired peers, so a signed token revives a peer only after a restart.
 */
import type { AddressBook } from './addresses.js';
import { ByteBudget } from './byte-budget.js';
import type { LobbyConfig } from './config.js';
import type { IdSource } from './ids.js';
import { type MachineInstance, runMachine, type TimerClock } from './machines/machine-runner.js';
import { type SessionEmitted, sessionMachine } from './machines/session.machine.js';
import type { Signer } from './signing.js';

/** One live WebSocket, as the registry sees it. */
export interface Connection {
  /** Sends one text frame (the transport closes a socket that stops reading). */
  send(text: string): void;
  /** Closes the socket with a WebSocket close code; idempotent. */
  close(code: number, reason: string): void;
}

/** Per-connection state shared by the socket layer and the registry. */
export interface Client {
  readonly conn: Connection;
  /** The client's address as counted by the {@link AddressBook} (IPv6 by /64). */
  readonly address: string;
  session: Session | null;
}

export interface Session {
  readonly peerId: string;
  /** `JSON.stringify(peerId)`, reused when stamping relayed signals. */
  readonly peerIdJson: string;
  /** The current token; a new one replaces it on every resume. */
  token: string;
  /**
   * Signal data this peer may still have relayed, in characters of JSON text (kept across
   * reconnects, so they do not refill it).
   */
  readonly relay: ByteBudget;
  /** Characters this peer's requests may still make the server send to the rest of its room. */
  readonly fanout: ByteBudget;
  /** The session machine (not an actor: thousands of idle sessions must stay cheap). */
  readonly actor: MachineInstance<typeof sessionMachine>;
  client: Client | null;
  /** While in its reconnect grace: the address it dropped from, whose limit the grace counts against. */
  graceAddress: string | null;
}

export interface SessionDirectoryDeps {
  config: Pick<LobbyConfig, 'graceMs' | 'relayBytesPerS' | 'fanoutBytesPerS'>;
  ids: IdSource;
  signer: Signer;
  addresses: AddressBook;
  /** Wall clock, epoch ms (how long expired peers are remembered). */
  now: () => number;
  /** Monotonic clock, ms (byte budgets). */
  monotonicMs: () => number;
  timerClock: TimerClock;
  /** A session's grace ran out: called before it is forgotten, to take it out of its room. */
  onExpired: (session: Session) => void;
  /** A session began, or its token, name or room changed (a cluster saves it: cluster/node.ts). */
  onChange?: (session: Session) => void;
}

/** How long an expired session's peer id is remembered, so its signed token cannot revive it. */
const EXPIRED_MEMORY_MS = 60 * 60 * 1000;
/** Seconds of refill the relay and fan-out buckets hold (see config.ts). */
const RELAY_BUCKET_S = 4;
const FANOUT_BUCKET_S = 2;

export type SessionDirectory = ReturnType<typeof createSessionDirectory>;

export function createSessionDirectory(deps: SessionDirectoryDeps) {
  const { config, ids, signer, addresses, now, monotonicMs, timerClock, onExpired } = deps;
  const byToken = new Map<string, Session>();
  const byId = new Map<string, Session>();
  /** Peers whose sessions expired here, until when; insertion order is expiry order. */
  const expiredPeers = new Map<string, number>();

  /**
   * A new session, with a new peer id, or with `peerId` when a restart lost it (signed token) or
   * another node of a cluster held it; `token` when the client's token stays valid (a session
   * moving between nodes), a new one otherwise.
   */
  function create(client: Client, name: string, peerId = ids.peerId(), token?: string): Session {
    const machine = runMachine<typeof sessionMachine, SessionEmitted>(
      sessionMachine,
      { peerId, name, graceMs: config.graceMs },
      timerClock,
      () => expire(session),
    );
    const actor = deps.onChange ? observed(machine, () => deps.onChange?.(session)) : machine;
    const nowMs = monotonicMs();
    const session: Session = {
      peerId,
      peerIdJson: JSON.stringify(peerId),
      token: token ?? signer.issueToken(peerId, ids.token()),
      relay: new ByteBudget(config.relayBytesPerS, RELAY_BUCKET_S, nowMs),
      fanout: new ByteBudget(config.fanoutBytesPerS, FANOUT_BUCKET_S, nowMs),
      actor,
      client,
      graceAddress: null,
    };
    byToken.set(session.token, session);
    byId.set(peerId, session);
    deps.onChange?.(session);
    return session;
  }

  /**
   * The peer a token this server signed names, when it holds no session of that peer and the peer
   * did not expire here: the server restarted since, and the peer may have its id back.
   */
  function restartedPeer(token: string): string | null {
    const peerId = signer.verifyToken(token);
    return peerId !== null && !byId.has(peerId) && !expiredPeers.has(peerId) ? peerId : null;
  }

  /**
   * Resume: `client` takes `session` over with a new token (the old one stops working), or with the
   * same one when `newToken` is false (a connection moving between cluster nodes, told nothing).
   */
  function resume(session: Session, client: Client, newToken = true): void {
    if (newToken) {
      byToken.delete(session.token);
      session.token = signer.issueToken(session.peerId, ids.token());
      byToken.set(session.token, session);
    }
    session.client = client;
    client.session = session;
    endGrace(session);
    deps.onChange?.(session);
  }

  /**
   * The session moves to another node of the cluster: forgotten here without expiring (its room,
   * if any, is not told) and without remembering the peer as expired.
   */
  function detach(session: Session): void {
    endGrace(session);
    if (session.client?.session === session) session.client.session = null;
    session.client = null;
    session.actor.stop();
    byToken.delete(session.token);
    byId.delete(session.peerId);
  }

  /** The socket closed: its session enters its reconnect grace. False if it held none. */
  function disconnect(client: Client): Session | null {
    const session = client.session;
    client.session = null;
    if (!session || session.client !== client) return null;
    session.client = null;
    session.graceAddress = client.address;
    addresses.graceStarted(client.address);
    session.actor.send({ type: 'disconnected' });
    return session;
  }

  /** A session left its reconnect grace (resumed or expired): its address no longer holds it. */
  function endGrace(session: Session): void {
    if (session.graceAddress === null) return;
    addresses.graceEnded(session.graceAddress);
    session.graceAddress = null;
  }

  /** The grace ran out (the session machine is now `gone` and stops itself): forget the peer. */
  function expire(session: Session): void {
    endGrace(session);
    onExpired(session);
    byToken.delete(session.token);
    byId.delete(session.peerId);
    // Its signed token must not bring the id back (that is for restarts): remembered a while.
    const t = now();
    expiredPeers.set(session.peerId, t + EXPIRED_MEMORY_MS);
    for (const [peerId, until] of expiredPeers) {
      if (until > t) break;
      expiredPeers.delete(peerId);
    }
  }

  /** Server shutdown: every session machine stops; nothing is remembered. */
  function clear(): void {
    for (const session of byId.values()) session.actor.stop();
    byId.clear();
    byToken.clear();
  }

  return {
    create,
    restartedPeer,
    resume,
    detach,
    disconnect,
    clear,
    byToken: (token: string) => byToken.get(token),
    byId: (peerId: string) => byId.get(peerId),
    /** The live connection of peer `peerId`, if it has one. */
    clientOf: (peerId: string) => byId.get(peerId)?.client ?? null,
    size: () => byId.size,
    all: () => byId.values(),
  };
}

/** `machine`, calling `changed` after an event that changed its context. */
function observed<T extends MachineInstance<typeof sessionMachine>>(machine: T, changed: () => void): T {
  return {
    get value() {
      return machine.value;
    },
    get context() {
      return machine.context;
    },
    get done() {
      return machine.done;
    },
    send(event) {
      const before = machine.context;
      machine.send(event);
      if (machine.context !== before) changed();
    },
    stop: () => machine.stop(),
  } as T;
}
