/**
 * What one link sends another through the lobby's `signal` relay. It arrives from a remote peer,
 * so it is parsed like any untrusted input.
 */
import { z } from 'zod';

const MAX_SDP_CHARS = 24_000;

export const linkSignalSchema = z.union([
  z.object({
    sid: z.string().min(1).max(32),
    description: z.object({ type: z.enum(['offer', 'answer']), sdp: z.string().max(MAX_SDP_CHARS) }),
    candidate: z.undefined().optional(),
  }),
  z.object({
    sid: z.string().min(1).max(32),
    description: z.undefined().optional(),
    /** `null` marks the end of this side's candidates. */
    candidate: z
      .object({
        candidate: z.string().max(1024),
        sdpMid: z.string().max(64).nullable().optional(),
        sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
      })
      .nullable(),
  }),
]);
export type LinkSignal = z.infer<typeof linkSignalSchema>;

/** Parses a relayed signal; `null` when it is not one. */
export function parseLinkSignal(data: unknown): LinkSignal | null {
  const result = linkSignalSchema.safeParse(data);
  return result.success ? result.data : null;
}
