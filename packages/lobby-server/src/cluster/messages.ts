/**
 * Messages between the nodes of a cluster: published on channel `n:<node>` as JSON, `k` the kind.
 * Signals do not travel as these: they have their own channels and record format (signals.ts).
 */

/** Messages between nodes. `c` names a client connection (`<gateway node>/<n>`), `p` a peer id. */
export type NodeMessage =
  /** Gateway (or old home) to new home: run this connection's session here. */
  | {
      k: 'adopt';
      c: string;
      gw: string;
      /** The client's address, as its gateway counts it. */
      a: string;
      p: string;
      n: string;
      /** The client's current token. */
      t: string;
      /** The room the peer is a member of, if any. */
      r: string | null;
      /** The `hello` that brought it, when it said one: answered with `welcome`. */
      h?: string;
      /** A message to handle once adopted (the `room.join` that moved it). */
      m?: string;
      /** Hops so far: an adopt that keeps bouncing between nodes stops. */
      hops?: number;
    }
  /** Gateway to home: a client message (never a signal). */
  | { k: 'msg'; c: string; m: string }
  /** Gateway to home: the client's socket closed. */
  | { k: 'gone'; c: string }
  /** Home to gateway: send this text to the client. */
  | { k: 'send'; c: string; t: string }
  /** Home to gateway: close the client's socket. */
  | { k: 'close'; c: string; code: number; reason: string }
  /** Home to gateway: the session moved to `node`. */
  | { k: 'home'; c: string; node: string }
  /** Home `from` to gateway: the session is no longer here; find its home again (and replay `m`). */
  | { k: 'rehome'; c: string; from: string; m?: string }
  /** A node to the old holder of a session without a room: another node holds it now. */
  | { k: 'drop'; p: string }
  /** A node to the sender of a signal batched for peer `p`, which is not connected there. */
  | { k: 'unroute'; p: string };
