// The arena's URL parameters (README "Automation surface"): the conditioner's `lag=`, `jitter=` and
// `loss=` read as whole numbers within the netgraph sliders' ranges, a bad value ignored (0) like a
// bad `round=`, and the values reaching the session's conditioner in both directions; `sync=`'s
// tuning overrides read by the type of each default, a combination the sync layer refuses ignored
// whole, and what is taken reaching the session's sync engine.
import { type LobbyClient, type SyncTuning, syncDefaults } from '@tickmesh/netcode';
import { afterEach, describe, expect, it } from 'vitest';
import { CONDITION_LIMITS, NO_CONDITIONS } from '../../examples/arena-game/src/conditions.js';
import { type ArenaNet, createArenaNet } from '../../examples/arena-game/src/net.js';
import { readParams, syncParam } from '../../examples/arena-game/src/params.js';

const at = (search: string) => readParams(new URL(`http://arena.test/${search}`));

describe('readParams', () => {
  it('reads lag and jitter in ms and loss in percent', () => {
    expect(at('?lag=50&jitter=10&loss=5').conditions).toEqual({ latencyMs: 50, jitterMs: 10, loss: 0.05 });
  });

  it('adds nothing without them', () => {
    expect(at('?name=Ann&room=abc').conditions).toEqual(NO_CONDITIONS);
  });

  it('takes each on its own', () => {
    expect(at('?loss=3').conditions).toEqual({ latencyMs: 0, jitterMs: 0, loss: 0.03 });
    expect(at('?jitter=20').conditions).toEqual({ latencyMs: 0, jitterMs: 20, loss: 0 });
  });

  it("takes the sliders' whole range, ends included", () => {
    expect(at('?lag=0&jitter=0&loss=0').conditions).toEqual(NO_CONDITIONS);
    const { latencyMs, jitterMs, lossPercent } = CONDITION_LIMITS;
    expect(at(`?lag=${latencyMs}&jitter=${jitterMs}&loss=${lossPercent}`).conditions).toEqual({
      latencyMs,
      jitterMs,
      loss: lossPercent / 100,
    });
  });

  it.each([
    ['not a number', 'abc'],
    ['empty', ''],
    ['negative', '-10'],
    ['not whole', '2.5'],
    ['infinite', 'Infinity'],
    ['with a unit', '50ms'],
  ])('ignores a value %s (0)', (_, v) => {
    expect(at(`?lag=${v}&jitter=${v}&loss=${v}`).conditions).toEqual(NO_CONDITIONS);
  });

  it("ignores a value above the slider's range (0), and keeps the good ones", () => {
    const { latencyMs, jitterMs, lossPercent } = CONDITION_LIMITS;
    expect(at(`?lag=${latencyMs + 1}&jitter=10&loss=5`).conditions).toEqual({ latencyMs: 0, jitterMs: 10, loss: 0.05 });
    expect(at(`?lag=50&jitter=${jitterMs + 1}&loss=5`).conditions).toEqual({ latencyMs: 50, jitterMs: 0, loss: 0.05 });
    expect(at(`?lag=50&jitter=10&loss=${lossPercent + 1}`).conditions).toEqual({
      latencyMs: 50,
      jitterMs: 10,
      loss: 0,
    });
  });

  it('leaves the other parameters as they were', () => {
    const p = at('?name=Ann&room=abc&round=10&relay=1&lag=100&loss=5');
    expect(p).toMatchObject({ name: 'Ann', room: 'ABC', roundS: 10, relay: true, lobby: 'ws://arena.test/lobby' });
  });
});

describe('readParams: sync=', () => {
  it('reads the string unions', () => {
    expect(at('?sync=remotePlayers:predicted').sync).toEqual({ remotePlayers: 'predicted' });
    expect(at('?sync=jitterStatistic:mean').sync).toEqual({ jitterStatistic: 'mean' });
  });

  it('reads several entries, numbers with fractions among them', () => {
    expect(at('?sync=snapshotRateHz:30,jitterStatistic:mean,interpolationJitterFactor:2').sync).toEqual({
      snapshotRateHz: 30,
      jitterStatistic: 'mean',
      interpolationJitterFactor: 2,
    });
    expect(at('?sync=interpolationJitterFactor:1.25,correctionEpsilon:0.5').sync).toEqual({
      interpolationJitterFactor: 1.25,
      correctionEpsilon: 0.5,
    });
  });

  it('reads booleans as true|1|false|0', () => {
    expect(at('?sync=quantizeStates:false').sync).toEqual({ quantizeStates: false });
    expect(at('?sync=quantizeStates:0').sync).toEqual({ quantizeStates: false });
    expect(at('?sync=quantizeStates:1').sync).toEqual({ quantizeStates: true });
    expect(at('?sync=quantizeStates:yes').sync).toEqual({});
  });

  it('takes encoded commas and colons, and spaces around them', () => {
    const q = new URLSearchParams({ sync: ' snapshotRateHz : 30 , remotePlayers:predicted ' });
    expect(at(`?${q}`).sync).toEqual({ snapshotRateHz: 30, remotePlayers: 'predicted' });
  });

  it('overrides nothing without it, or empty', () => {
    expect(at('?name=Ann').sync).toEqual({});
    expect(at('?sync=').sync).toEqual({});
  });

  it.each([
    ['an unknown key', 'remotePlayer:predicted'],
    ['a key of Object.prototype', 'toString:1'],
    ['__proto__', '__proto__:1'],
    ['no colon', 'snapshotRateHz'],
    ['no value', 'snapshotRateHz:'],
    ['a number with a unit', 'snapshotRateHz:30hz'],
    ['an infinite number', 'maxExtrapolationMs:Infinity'],
    ['a number for a word', 'remotePlayers:1'],
    ['a word for a number', 'snapshotRateHz:thirty'],
  ])('ignores an entry with %s, and keeps the good ones', (_, entry) => {
    expect(at(`?sync=${entry},jitterStatistic:mean`).sync).toEqual({ jitterStatistic: 'mean' });
    expect(Object.getPrototypeOf(at(`?sync=${entry}`).sync)).toBe(Object.prototype);
  });

  it.each([
    ['a word the sync layer does not know', 'remotePlayers:extrapolated'],
    ['a snapshot rate that does not divide the tick rate', 'snapshotRateHz:7'],
    ['a tick rate the default snapshot rate does not divide', 'tickRateHz:30'],
    ['a tick rate out of range', 'tickRateHz:1000,snapshotRateHz:1'],
    ['an input log too small for its window', 'maxInputsPerPlayer:10'],
  ])('ignores the whole of a combination the sync layer refuses: %s', (_, entries) => {
    expect(at(`?sync=${entries},jitterStatistic:mean`).sync).toEqual({});
  });

  it('takes a combination that works only together', () => {
    expect(at('?sync=tickRateHz:30,snapshotRateHz:30').sync).toEqual({ tickRateHz: 30, snapshotRateHz: 30 });
  });

  it.each([
    ['the previous defaults', { jitterStatistic: 'mean', snapshotRateHz: 30, interpolationJitterFactor: 2 }],
    ['predicted remote players', { remotePlayers: 'predicted' }],
    ['booleans and fractions', { quantizeStates: false, correctionEpsilon: 0.05 }],
    ['nothing', {}],
  ] satisfies [string, Partial<SyncTuning>][])('reads what syncParam writes: %s', (_, overrides) => {
    expect(at(`?sync=${encodeURIComponent(syncParam(overrides))}`).sync).toEqual(overrides);
    expect(at(`?sync=${syncParam(overrides)}`).sync).toEqual(overrides);
  });

  it('leaves the other parameters as they were', () => {
    const p = at('?name=Ann&sync=remotePlayers:predicted&lag=50');
    expect(p).toMatchObject({ name: 'Ann', conditions: { latencyMs: 50, jitterMs: 0, loss: 0 } });
  });
});

/** A lobby client connected as Ann, in no room: all the net layer needs to be made. */
function idleLobby(): LobbyClient {
  const unused = (): never => {
    throw new Error('the net layer does not call this here');
  };
  return {
    status: { kind: 'identified', peerId: 'ann', resumed: false },
    connection: 'online',
    peerId: 'ann',
    token: null,
    room: null,
    iceServers: [],
    droppedMessages: 0,
    queuedSignals: 0,
    connect: unused,
    createRoom: unused,
    joinRoom: unused,
    quickplay: unused,
    listRooms: unused,
    leaveRoom: unused,
    setReady: unused,
    setSettings: unused,
    start: unused,
    end: unused,
    kick: unused,
    chat: unused,
    ping: unused,
    signal: () => {},
    on: () => () => {},
    close: () => {},
  };
}

/** The page's net layer for the URL `search` (null: no parameters at all), with no links; closed after each test. */
const nets: ArenaNet[] = [];
afterEach(() => {
  for (const n of nets.splice(0)) n.close();
});
function netFor(search: string | null): ArenaNet {
  const params = search === null ? null : at(search);
  const net = createArenaNet({
    lobby: idleLobby(),
    sampleInput: () => ({ mx: 0, my: 0, aim: 0, fire: false }),
    settings: () => ({ roundS: 60, map: 0, seed: 1 }),
    relay: false,
    createPeerConnection: () => {
      throw new Error('no links in this test');
    },
    ...(params ? { conditions: params.conditions, sync: params.sync } : {}),
  });
  nets.push(net);
  return net;
}

describe("the URL's conditions and the net layer", () => {
  const linkOf = (n: ArenaNet, direction: 'outgoing' | 'incoming') => {
    const c = n.session.conditioner?.conditions('bob', direction);
    return c && { latencyMs: c.latencyMs, jitterMs: c.jitterMs, loss: c.loss };
  };

  it('are in effect, both directions of every link, from the moment the net exists', () => {
    const n = netFor('?lag=50&jitter=10&loss=5');
    expect(linkOf(n, 'outgoing')).toEqual({ latencyMs: 50, jitterMs: 10, loss: 0.05 });
    expect(linkOf(n, 'incoming')).toEqual({ latencyMs: 50, jitterMs: 10, loss: 0.05 });
  });

  it("give way to the sliders' values (the same conditioner)", () => {
    const n = netFor('?lag=50&jitter=10&loss=5');
    n.setConditions({ latencyMs: 120, jitterMs: 0, loss: 0.3 });
    expect(linkOf(n, 'outgoing')).toEqual({ latencyMs: 120, jitterMs: 0, loss: 0.3 });
    expect(linkOf(n, 'incoming')).toEqual({ latencyMs: 120, jitterMs: 0, loss: 0.3 });
  });

  it('leave a perfect link when the URL has none', () => {
    expect(linkOf(netFor('?name=Ann'), 'outgoing')).toEqual(NO_CONDITIONS);
    expect(linkOf(netFor(null), 'incoming')).toEqual(NO_CONDITIONS);
  });
});

describe("the URL's sync tuning and the net layer", () => {
  const tuningOf = (search: string): Readonly<SyncTuning> => netFor(search).session.sync.tuning;

  it("is the session's sync tuning", () => {
    expect(tuningOf('?sync=remotePlayers:predicted')).toEqual({ ...syncDefaults, remotePlayers: 'predicted' });
    expect(tuningOf('?sync=snapshotRateHz:30,jitterStatistic:mean,interpolationJitterFactor:2')).toEqual({
      ...syncDefaults,
      snapshotRateHz: 30,
      jitterStatistic: 'mean',
      interpolationJitterFactor: 2,
    });
  });

  it('cannot stop the page with a combination the sync layer refuses: the defaults play', () => {
    expect(tuningOf('?sync=snapshotRateHz:7,remotePlayers:predicted')).toEqual(syncDefaults);
    expect(tuningOf('?sync=tickRateHz:30')).toEqual(syncDefaults);
  });

  it('is the defaults without it', () => {
    expect(tuningOf('?name=Ann')).toEqual(syncDefaults);
  });
});
