/**
 * What one link sends another through the lobby's `signal` relay. It arrives from a remote peer,
 * so it is parsed like any untrusted input.
 */
import { z } from 'zod';

const MAX_SDP_CHARS = 24_000;
/** Candidates one signal may carry. */
export const MAX_CANDIDATES_PER_SIGNAL = 32;

export const linkSignalSchema = z.union([
  z.object({
    sid: z.string().min(1).max(32),
    description: z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(MAX_SDP_CHARS) }),
    candidates: z.undefined().optional(),
  }),
  z.object({
    sid: z.string().min(1).max(32),
    description: z.undefined().optional(),
    /** Trickled candidates, batched: one signal carries those gathered within a few ms. */
    candidates: z
      .array(
        z.object({
          candidate: z.string().max(1024),
          sdpMid: z.string().max(64).nullable().optional(),
          sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
        }),
      )
      .min(1)
      .max(MAX_CANDIDATES_PER_SIGNAL),
  }),
]);
export type LinkSignal = z.infer<typeof linkSignalSchema>;

/**
 * Sent by the older member of a pair that has no connection to the newer one while the newer may
 * still hold one (the older reloaded and resumed its session): "start a new connection to me".
 */
export const relinkSignalSchema = z.object({ relink: z.literal(true) });

export type MeshSignal = { kind: 'link'; signal: LinkSignal } | { kind: 'relink' };

/** Parses a relayed signal; `null` when it is not one. */
export function parseMeshSignal(data: unknown): MeshSignal | null {
  const link = linkSignalSchema.safeParse(data);
  if (link.success) return { kind: 'link', signal: link.data };
  return relinkSignalSchema.safeParse(data).success ? { kind: 'relink' } : null;
}
