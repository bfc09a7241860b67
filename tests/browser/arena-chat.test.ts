// The arena's chat rides the mesh (issue 15): two Chromium pages in a room of the real lobby
// (arenaSuite's), linked peer to peer; the lobby is stopped, and both players still chat, each
// line shown once on both pages, and the pages say the lobby is reconnecting meanwhile.
import { expect, it } from 'vitest';
import { type ArenaPage, arenaSuite, everyPage, screenshot, until } from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';

const arena = arenaSuite();

const chatText = (p: ArenaPage) => p.page.getByTestId('chat-log').innerText();
/** How many times `line` shows in the page's chat. */
const count = async (p: ArenaPage, line: string) => (await chatText(p)).split(line).length - 1;

async function say(p: ArenaPage, text: string): Promise<void> {
  await p.page.getByTestId('chat-input').fill(text);
  await p.page.getByTestId('chat-input').press('Enter');
}

/** Both pages in the same room with their link up. */
const linked = (pages: readonly ArenaPage[]) => async () =>
  (await everyPage(pages, (p) => p.snapshot())).every(
    (s) => s.room !== null && s.peers.length === 1 && s.peers.every((q) => q.link === 'connected'),
  );

describeWith(['chromium'], 'arena chat in Chromium', () => {
  it('two players chat while the lobby is stopped, each line once', async () => {
    const ann = await arena.openArena(arena.browser, arena.server, 'Ann', 'create=1');
    await until([ann], async () => (await ann.snapshot()).room !== null, 'Ann’s room');
    const code = (await ann.snapshot()).room?.code ?? '';
    const bob = await arena.openArena(arena.browser, arena.server, 'Bob', `room=${code}`);
    const pages = [ann, bob];
    await until(pages, linked(pages), 'Ann and Bob linked in one room');

    // A line while the lobby is up goes over the mesh too, and shows once.
    await say(ann, 'before the outage');
    await until([bob], async () => (await count(bob, 'before the outage')) === 1, 'Ann’s first line at Bob');

    await arena.server.close();
    await until(
      pages,
      async () => (await everyPage(pages, (p) => p.snapshot())).every((s) => s.lobby !== 'online'),
      'both pages to see the lobby gone',
    );
    await say(ann, 'the lobby is down');
    await until([bob], async () => (await count(bob, 'the lobby is down')) === 1, 'Ann’s line at Bob');
    await say(bob, 'still hear you');
    await until([ann], async () => (await count(ann, 'still hear you')) === 1, 'Bob’s line at Ann');
    await screenshot(bob.page, 'chat-lobby-down');
    for (const p of pages) {
      for (const line of ['before the outage', 'the lobby is down', 'still hear you'])
        expect(await count(p, line), `${p.name}: ${line}`).toBe(1);
      expect((await p.snapshot()).room?.code).toBe(code);
    }
  }, 60_000);
});
