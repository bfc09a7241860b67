// The Transport contract: what the sync layer may rely on, whatever carries its packets. One suite,
// registered by every implementation's test file (memory, conditioned memory, the WebRTC mesh).
// Endpoints are made once per suite; each test tags its packets and looks only at its own, so a
// straggler from an earlier test cannot disturb a later one.
import { TransportError } from '@tickmesh/netcode';
import { encodeFrame, MAX_FRAME_DEPTH, MAX_UNRELIABLE_FRAME_BYTES } from '@tickmesh/netcode/internals';
import type { Transport, TransportMessage } from '@tickmesh/netcode/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface ContractPacket {
  test: string;
  n: number;
  /** The true sender, for the test to compare with `from`. */
  sender?: string;
  /** A lie about the sender, which `from` must ignore. */
  from?: string;
  pad?: string;
}

export interface ContractEndpoints {
  /** One transport per peer, all linked to each other. */
  transports: readonly Transport<ContractPacket>[];
  /** Their peer ids, in the same order. */
  ids: readonly string[];
  /** Lets time pass (simulated or real) until `check` holds; rejects naming `what` after a bound. */
  until(check: () => boolean, what: string): Promise<void>;
  /** Lets `ms` of time pass, so that messages that should not arrive would have. */
  settle(ms: number): Promise<void>;
  close(): Promise<void> | void;
}

export interface ContractOptions {
  /** Peers in the suite. Default 3. */
  peers?: number;
  /** Fraction of unreliable messages every pair must deliver: 1 for a lossless transport. Default 1. */
  minUnreliableDelivery?: number;
}

export function transportContract(
  name: string,
  makeEndpoints: (peers: number) => Promise<ContractEndpoints>,
  options: ContractOptions = {},
): void {
  const count = options.peers ?? 3;
  const minUnreliable = options.minUnreliableDelivery ?? 1;

  describe(`Transport contract: ${name}`, () => {
    let net: ContractEndpoints;
    let inboxes: TransportMessage<ContractPacket>[][] = [];
    const pairs = () => net.ids.flatMap((_, i) => net.ids.map((__, j) => [i, j] as const).filter(([, j]) => j !== i));
    const transport = (i: number) => net.transports[i] as Transport<ContractPacket>;
    const id = (i: number) => net.ids[i] as string;
    /** Messages of test `test` that peer `to` received from peer `from`. */
    const got = (test: string, to: number, from: number) =>
      (inboxes[to] ?? []).filter((m) => m.payload.test === test && m.from === id(from));

    beforeAll(async () => {
      net = await makeEndpoints(count);
      inboxes = net.transports.map((t) => {
        const inbox: TransportMessage<ContractPacket>[] = [];
        t.on('message', (m) => inbox.push(m));
        return inbox;
      });
    });
    afterAll(async () => {
      await net?.close();
    });

    it('peers() lists every other peer, not itself', () => {
      expect(net.transports).toHaveLength(count);
      net.transports.forEach((t, i) => {
        expect([...t.peers()].sort()).toEqual(net.ids.filter((_, j) => j !== i).sort());
      });
    });

    it('delivers unreliable messages between every pair, stamped with the real sender', async () => {
      const test = 'unreliable';
      const N = 20;
      for (let n = 0; n < N; n++) {
        for (const [i, j] of pairs()) {
          expect(transport(i).send(id(j), { test, n, sender: id(i), from: 'mallory' })).toBe(1);
        }
      }
      const need = Math.ceil(N * minUnreliable);
      await net.until(() => pairs().every(([i, j]) => got(test, j, i).length >= need), 'unreliable on every pair');
      await net.settle(50);
      for (const [i, j] of pairs()) {
        const messages = got(test, j, i);
        expect(messages.every((m) => !m.reliable && m.payload.sender === id(i) && m.from === id(i))).toBe(true);
        const ns = messages.map((m) => m.payload.n);
        expect(new Set(ns).size).toBe(ns.length); // none twice
        expect(ns.every((n) => n >= 0 && n < N)).toBe(true);
      }
    });

    it("send('all') reaches every other peer and returns how many", async () => {
      const test = 'all';
      net.transports.forEach((t, i) => {
        expect(t.send('all', { test, n: 0, sender: id(i) }, { reliable: true })).toBe(count - 1);
        expect(t.send('all', { test, n: 1, sender: id(i) })).toBe(count - 1);
      });
      await net.until(
        () => pairs().every(([i, j]) => got(test, j, i).some((m) => m.reliable && m.payload.n === 0)),
        "every reliable 'all'",
      );
    });

    it('delivers reliable messages on every pair: all, once, in order', async () => {
      const test = 'reliable';
      const N = 100;
      for (let n = 0; n < N; n++) {
        net.transports.forEach((t, i) => {
          t.send('all', { test, n, sender: id(i), from: 'mallory' }, { reliable: true });
        });
      }
      await net.until(() => pairs().every(([i, j]) => got(test, j, i).length >= N), 'every reliable message');
      await net.settle(50);
      for (const [i, j] of pairs()) {
        const messages = got(test, j, i);
        expect(messages.map((m) => m.payload.n)).toEqual([...Array(N).keys()]);
        expect(messages.every((m) => m.reliable && m.payload.sender === id(i))).toBe(true);
      }
    });

    it('captures the payload at send: changing it afterwards changes nothing', async () => {
      const test = 'capture';
      const payload: ContractPacket = { test, n: 1, pad: 'before' };
      transport(0).send(id(1), payload, { reliable: true });
      payload.n = 2;
      payload.pad = 'after';
      await net.until(() => got(test, 1, 0).length === 1, 'the captured payload');
      expect(got(test, 1, 0)[0]?.payload).toEqual({ test, n: 1, pad: 'before' });
    });

    it('refuses an unreliable frame over 1,150 bytes with PACKET_TOO_LARGE; reliable carries it', async () => {
      const test = 'size';
      const base = encodeFrame(0, { test, n: 0, pad: 'x'.repeat(1000) }).length;
      const fits: ContractPacket = { test, n: 0, pad: 'x'.repeat(1000 + MAX_UNRELIABLE_FRAME_BYTES - base) };
      expect(encodeFrame(0, fits).length).toBe(MAX_UNRELIABLE_FRAME_BYTES);
      const tooBig: ContractPacket = { ...fits, n: 1, pad: `${fits.pad}x` };
      expect(transport(0).send(id(1), fits)).toBe(1);
      for (const to of [id(1), 'all']) {
        let error: unknown;
        try {
          transport(0).send(to, tooBig);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TransportError);
        expect(error).toMatchObject({ code: 'PACKET_TOO_LARGE' });
      }
      expect(transport(0).send(id(1), tooBig, { reliable: true })).toBe(1);
      await net.until(() => got(test, 1, 0).some((m) => m.payload.n === 1), 'the big reliable message');
      expect(got(test, 1, 0).find((m) => m.payload.n === 1)?.payload.pad).toHaveLength(tooBig.pad?.length ?? -1);
    });

    it('refuses payloads a receiver would drop (a Date, nesting past MAX_FRAME_DEPTH) with NOT_ENCODABLE', async () => {
      const test = 'plain';
      const nest = (levels: number): unknown => (levels === 0 ? 'bottom' : [nest(levels - 1)]);
      // The packet is a map: one level, then the arrays in `pad`.
      const refused = [
        { test, n: 0, pad: new Date(0) },
        { test, n: 0, pad: nest(MAX_FRAME_DEPTH) },
      ] as unknown as ContractPacket[];
      for (const payload of refused) {
        for (const reliable of [false, true]) {
          expect(() => transport(0).send(id(1), payload, { reliable })).toThrowError(
            expect.objectContaining({ code: 'NOT_ENCODABLE' }),
          );
        }
      }
      // `undefined` travels as nil; MAX_FRAME_DEPTH levels travel.
      const fine = { test, n: 1, sender: undefined, pad: nest(MAX_FRAME_DEPTH - 1) } as unknown as ContractPacket;
      expect(transport(0).send(id(1), fine, { reliable: true })).toBe(1);
      await net.until(() => got(test, 1, 0).length === 1, 'the plain payload');
      expect(got(test, 1, 0)[0]?.payload).toEqual({ test, n: 1, sender: null, pad: nest(MAX_FRAME_DEPTH - 1) });
    });

    it('sending to an unknown peer or to itself returns 0 and delivers nothing', async () => {
      const test = 'nobody';
      expect(transport(0).send('no-such-peer', { test, n: 0 })).toBe(0);
      expect(transport(0).send('no-such-peer', { test, n: 1 }, { reliable: true })).toBe(0);
      expect(transport(0).send(id(0), { test, n: 2 }, { reliable: true })).toBe(0);
      await net.settle(100);
      expect(inboxes.flat().filter((m) => m.payload.test === test)).toEqual([]);
    });
  });
}
