/**
 * The codecs `bench:codec` compares, each preparing a scenario (arena.ts) as bytes plus a run of
 * one encode + decode:
 *
 *   tickmesh        the snapshot delta codec: quantize the world, encode against the baseline,
 *                   decode every part, apply them to the baseline (all of a receiver's work)
 *   colyseus        @colyseus/schema with quantized int fields (colyseus.ts)
 *   msgpackr-f32    msgpackr with shared record structures and float32, for reference: shared
 *                   structures grow as they are used, so it needs an ordered channel
 *   msgpackr        plain msgpackr (records off), what the frame codec does
 *   json            JSON.stringify and JSON.parse
 *
 * Only tickmesh and colyseus send deltas; the others send the whole next state every time.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  applySnapshotParts,
  decodeSnapshot,
  encodeSnapshot,
  quantizeWorld,
  type SnapshotPart,
} from '@tickmesh/netcode/internals';
import { FLOAT32_OPTIONS, Packr } from 'msgpackr';
import { arenaSchema, type PlainState, type Scenario, toPlainState } from './arena.ts';
import { prepareColyseus } from './colyseus.ts';
import type { Prepared } from './measure.ts';

export interface Candidate {
  readonly name: string;
  readonly label: string;
  readonly prepare: (scenario: Scenario) => Prepared;
}

function decodeAll(parts: readonly Uint8Array[]): SnapshotPart[] | string {
  const decoded: SnapshotPart[] = [];
  for (const bytes of parts) {
    const result = decodeSnapshot(arenaSchema, bytes);
    if (!result.ok) return `tickmesh: a part failed to decode (${result.reason})`;
    decoded.push(result.part);
  }
  return decoded;
}

function prepareTickmesh(scenario: Scenario): Prepared {
  const baseline = scenario.baseline === null ? null : quantizeWorld(arenaSchema, scenario.baseline);
  const next = quantizeWorld(arenaSchema, scenario.next);
  const parts = encodeSnapshot(arenaSchema, baseline, next);
  const decoded = decodeAll(parts);
  let problem = typeof decoded === 'string' ? decoded : null;
  if (typeof decoded !== 'string') {
    const applied = applySnapshotParts(arenaSchema, baseline, decoded);
    if (!applied.ok) problem = `tickmesh: parts failed to apply (${applied.reason})`;
    else if (!isDeepStrictEqual(new Map(applied.world.entities), new Map(next.entities))) {
      problem = 'tickmesh: the applied world differs from the quantized next world';
    }
  }
  return {
    bytes: parts.reduce((sum, part) => sum + part.length, 0),
    parts: parts.length,
    problem,
    run: () => {
      const quantized = quantizeWorld(arenaSchema, scenario.next);
      const received: SnapshotPart[] = [];
      for (const bytes of encodeSnapshot(arenaSchema, baseline, quantized)) {
        const result = decodeSnapshot(arenaSchema, bytes);
        if (result.ok) received.push(result.part);
      }
      if (!applySnapshotParts(arenaSchema, baseline, received).ok) throw new Error('tickmesh: apply failed');
    },
  };
}

function prepareWhole<E extends Uint8Array | string>(
  encode: (state: PlainState) => E,
  decode: (encoded: E) => unknown,
): (scenario: Scenario) => Prepared {
  return (scenario) => {
    const state = toPlainState(scenario.next);
    const encoded = encode(state);
    const bytes = typeof encoded === 'string' ? Buffer.byteLength(encoded) : encoded.length;
    const problem = isDeepStrictEqual(decode(encoded), state) ? null : 'round trip differs';
    return { bytes, parts: 1, problem, run: () => decode(encode(state)) };
  };
}

const plainPackr = new Packr({ useRecords: false });
const recordPackr = new Packr({ structures: [], useFloat32: FLOAT32_OPTIONS.ALWAYS });

function prepareRecords(scenario: Scenario): Prepared {
  const state = toPlainState(scenario.next);
  recordPackr.pack(state); // defines the shared structures; later packs refer to them
  const bytes = recordPackr.pack(state);
  const decoded = recordPackr.unpack(bytes);
  const problem = decoded.players.length === state.players.length ? null : 'msgpackr-f32: round trip differs';
  return { bytes: bytes.length, parts: 1, problem, run: () => recordPackr.unpack(recordPackr.pack(state)) };
}

export const candidates: readonly Candidate[] = [
  { name: 'tickmesh', label: 'tickmesh snapshot codec', prepare: prepareTickmesh },
  { name: 'colyseus', label: '@colyseus/schema 5 (int16)', prepare: prepareColyseus },
  { name: 'msgpackrF32', label: 'msgpackr records+float32*', prepare: prepareRecords },
  {
    name: 'msgpackr',
    label: 'msgpackr (records off)',
    prepare: prepareWhole(
      (state) => plainPackr.pack(state),
      (bytes: Uint8Array) => plainPackr.unpack(bytes),
    ),
  },
  {
    name: 'json',
    label: 'JSON',
    prepare: prepareWhole(
      (state) => JSON.stringify(state),
      (text: string) => JSON.parse(text),
    ),
  },
];
