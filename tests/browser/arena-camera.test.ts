// The arena's camera in real Chromium (fake camera: a moving test pattern): Tia and Sam in one room
// lobby each click Cam; each sees the other's tile playing beside the other's name, and their own
// preview beside their own; Sam turns his camera off and his tile goes from Tia's list while hers
// stays on his; in the match, Sam's scoreboard has Tia's tile beside her name. Screenshots: Sam's
// room lobby with both tiles (camera-room.png) and his scoreboard (camera-scoreboard.png), in
// test-results/screenshots/.
import { expect, it } from 'vitest';
import {
  type ArenaPage,
  allPlaying,
  arenaSuite,
  everyPage,
  framesDrawn,
  screenshot,
  until,
} from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';

const arena = arenaSuite();

/** The size of the playing tile beside `peerId`'s name on `page` (0 x 0: a tile with no frame yet; null: no tile). */
const tileIn = (page: ArenaPage, peerId: string) =>
  page.page.evaluate((id) => {
    const video = document.querySelector<HTMLVideoElement>(`li.player-row[data-peer="${id}"] video.cam-tile`);
    return video ? { width: video.videoWidth, height: video.videoHeight, playing: !video.paused } : null;
  }, peerId);

const playing = (page: ArenaPage, peerId: string) => async () => {
  const tile = await tileIn(page, peerId);
  return tile?.playing === true && tile.width > 0;
};

describeWith(['chromium'], 'arena camera in Chromium', () => {
  it('each player sees the other’s tile beside their name, and a camera turned off takes its tile away', async () => {
    const [tia, sam] = await Promise.all([
      arena.openArena(arena.browser, arena.server, 'Tia', 'create=1'),
      arena.openArena(arena.browser, arena.server, 'Sam', ''),
    ]);
    await until([tia], async () => (await tia.snapshot()).room !== null, 'the room to be created');
    const code = (await tia.snapshot()).room?.code ?? '';
    await sam.page.getByTestId('room-code-input').fill(code);
    await sam.page.getByTestId('join-room').click();
    const both = [tia, sam];
    await until(
      both,
      async () =>
        (await everyPage(both, (p) => p.snapshot())).every((s) => s.room?.code === code && s.players.length === 2),
      'Sam in Tia’s room',
    );
    const [tiaId, samId] = [await tia.selfId(), await sam.selfId()];
    expect(await sam.page.getByTestId('camera').textContent()).toBe('Cam off');
    expect(await tileIn(sam, tiaId)).toBeNull(); // no camera yet: no tile

    await tia.page.getByTestId('camera').click();
    await sam.page.getByTestId('camera').click();
    await until(both, playing(sam, tiaId), 'Tia’s tile playing on Sam’s page');
    await until(both, playing(tia, samId), 'Sam’s tile playing on Tia’s page');
    await until(both, playing(sam, samId), 'Sam’s own preview');
    expect(await sam.page.getByTestId('camera').textContent()).toBe('Cam on');
    const tile = await tileIn(sam, tiaId);
    expect(tile?.width).toBeLessThanOrEqual(160);
    await framesDrawn(sam.page);
    await screenshot(sam.page, 'camera-room');

    await sam.page.getByTestId('camera').click();
    await until(both, async () => (await tileIn(tia, samId)) === null, 'Sam’s tile gone from Tia’s page');
    expect(await tileIn(sam, samId)).toBeNull();
    expect(await sam.page.getByTestId('camera').textContent()).toBe('Cam off');
    await until(both, playing(sam, tiaId), 'Tia’s tile still playing on Sam’s page');

    // In the match, the scoreboard (Tab held) has Tia's tile beside her name, and none beside Sam's.
    await sam.page.getByTestId('ready').click();
    await until([tia], async () => !(await tia.page.getByTestId('start').isDisabled()), 'Sam ready');
    await tia.page.getByTestId('start').click();
    await until(both, allPlaying(both, 2), 'both playing', 30_000);
    await sam.page.keyboard.down('Tab');
    const boardTile = (id: string) => async () =>
      sam.page.evaluate((peer) => {
        const video = document.querySelector<HTMLVideoElement>(`.scoreboard tr[data-peer="${peer}"] video.cam-tile`);
        return video !== null && !video.paused && video.videoWidth > 0;
      }, id);
    await until(both, boardTile(tiaId), 'Tia’s tile on Sam’s scoreboard');
    expect(await boardTile(samId)()).toBe(false);
    await screenshot(sam.page, 'camera-scoreboard');
    await sam.page.keyboard.up('Tab');
    for (const p of both) expect(p.errors).toEqual([]);
  }, 150_000);
});
