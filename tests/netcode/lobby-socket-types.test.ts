// `LobbySocket` at the type level: the browser's WebSocket and the `ws` package's both fit a
// `LobbySocketFactory` with no cast, under the repo's strict tsconfig; sockets that lack what the
// client uses, or type it differently, do not. `npx tsc -p tsconfig.json` checks this file (the
// `@ts-expect-error` lines fail the check if the refusals ever stop); Vitest only runs the trivial
// assertions at the end.
import { createLobbyClient, type LobbySocket, type LobbySocketFactory } from '@tickmesh/netcode';
import { describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';

/** Node: the `ws` package, exactly as docs/netcode.md writes it. */
const fromWs: LobbySocketFactory = (url) => new WebSocket(url);

/** Browsers: the DOM's WebSocket (the tsconfig's `DOM` lib). */
const fromBrowser: LobbySocketFactory = (url) => new globalThis.WebSocket(url);

/** Straight into the client's options, as a game writes it. */
const nodeClient = () =>
  createLobbyClient({ url: 'ws://127.0.0.1:1/lobby', name: 'bot', createSocket: (url) => new WebSocket(url) });

interface Handlers {
  onopen: null;
  onerror: null;
  onmessage: null;
}

// A socket without `send` is refused.
// @ts-expect-error: send is missing
const noSend: LobbySocket = { readyState: 1, close() {}, onclose: null, ...({} as Handlers) };

// A close event whose `code` is not a number is refused: the client reads it as one.
const stringCode: LobbySocket = {
  readyState: 1,
  send() {},
  close() {},
  ...({} as Handlers),
  // @ts-expect-error: code must be a number
  onclose: (event: { code: string; reason: string }) => void event,
};

describe('LobbySocket types', () => {
  it('takes the ws and browser WebSockets as they are', () => {
    expectTypeOf(fromWs).toEqualTypeOf<LobbySocketFactory>();
    expectTypeOf(fromBrowser).toEqualTypeOf<LobbySocketFactory>();
    expectTypeOf<WebSocket>().toExtend<LobbySocket>();
    expectTypeOf<globalThis.WebSocket>().toExtend<LobbySocket>();
    expect([typeof nodeClient, typeof noSend, typeof stringCode]).toEqual(['function', 'object', 'object']);
  });
});
