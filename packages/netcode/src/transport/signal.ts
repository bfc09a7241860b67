/**
 * What one link sends another through the lobby's `signal` relay. It arrives from a remote peer,
 * so it is checked like any untrusted input (with the protocol's small checks: a browser game
 * ships no schema library for it).
 */
import { absent, arr, custom, either, expected, type Infer, obj, oneOf, opt, orNull, str } from '@tickmesh/protocol';

const MAX_SDP_CHARS = 24_000;
/** Candidates one signal may carry. */
export const MAX_CANDIDATES_PER_SIGNAL = 32;

const sid = str(32, 1);
const mLineIndex = custom<number>((v, p) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 64 ? null : expected(p, 'an integer of 0 to 64'),
);

const descriptionSignal = obj({
  sid,
  description: obj({ type: oneOf('offer', 'answer'), sdp: str(MAX_SDP_CHARS) }),
  candidates: absent,
});
const candidatesSignal = obj({
  sid,
  description: absent,
  /** Trickled candidates, batched: one signal carries those gathered within a few ms. */
  candidates: arr(
    obj({ candidate: str(1024), sdpMid: opt(orNull(str(64))), sdpMLineIndex: opt(orNull(mLineIndex)) }),
    MAX_CANDIDATES_PER_SIGNAL,
    1,
  ),
});
export const linkSignalCheck = either(descriptionSignal, candidatesSignal);
export type LinkSignal = Infer<typeof linkSignalCheck>;

/**
 * Sent by the older member of a pair that has no connection to the newer one while the newer may
 * still hold one (the older reloaded and resumed its session): "start a new connection to me".
 */
export const relinkSignalCheck = obj({ relink: oneOf(true) });

export type MeshSignal = { kind: 'link'; signal: LinkSignal } | { kind: 'relink' };

/** Parses a relayed signal; `null` when it is not one. */
export function parseMeshSignal(data: unknown): MeshSignal | null {
  if (linkSignalCheck(data) === null) return { kind: 'link', signal: data as LinkSignal };
  return relinkSignalCheck(data) === null ? { kind: 'relink' } : null;
}
