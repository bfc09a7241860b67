/** Player colours: by join order (`seq`), so up to eight players in a room never share one. */
export const PLAYER_COLORS = [0x35e0c1, 0xff9f43, 0xff5d9e, 0x4da3ff, 0xffd84d, 0xa77bff, 0x7be36b, 0xff6b6b] as const;

export function colorOfSeq(seq: number): number {
  return PLAYER_COLORS[(seq - 1 + PLAYER_COLORS.length) % PLAYER_COLORS.length] ?? PLAYER_COLORS[0];
}
