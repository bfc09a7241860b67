// The arena's chat rides the mesh (issue 15): two Chromium pages in a room of the real lobby
// (arenaSuite's), linked peer to peer. A player who floods the chat is told, in one line, that
// the lines over the mesh chat's limit were not sent, and the other player gets only the lines
// that were; then the lobby is stopped, and both players still chat, each line shown once on both
// pages, and the pages say the lobby is reconnecting meanwhile. (The flood comes first: the second
// test stops the suite's lobby.)
import { chatDefaults } from '@tickmesh/netcode';
import { expect, it } from 'vitest';
import { chatLimits } from '../../examples/arena-game/src/app/chat-log.js';
import {
  type ArenaPage,
  annAndBob,
  arenaSuite,
  everyPage,
  sayInRoom,
  screenshot,
  until,
} from '../helpers/arena-game.js';
import { describeWith } from '../helpers/requirements.js';
import { letTimePass } from '../helpers/wait.js';

const arena = arenaSuite();

const chatText = (p: ArenaPage) => p.page.getByTestId('chat-log').innerText();
/** How many times `line` shows in the page's chat. */
const count = async (p: ArenaPage, line: string) => (await chatText(p)).split(line).length - 1;

/** Enters every line at once (as a pasting script would), each with Enter in the chat field. */
function flood(p: ArenaPage, lines: readonly string[]): Promise<void> {
  return p.page.evaluate((texts) => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="chat-input"]');
    if (!input) throw new Error('no chat field');
    for (const text of texts) {
      input.value = text;
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    }
  }, lines);
}

describeWith(['chromium'], 'arena chat in Chromium', () => {
  it('a flood is refused over the limit: the sender is told, the other player gets only the lines sent', async () => {
    const [ann, bob] = await annAndBob(arena);

    // A burst's worth go (Ann's bucket is full: she has said nothing), the rest are refused.
    const burst = chatDefaults.peerMessageBurst;
    const lines = Array.from({ length: burst + 4 }, (_, i) => `flood #${String(i + 1).padStart(2, '0')}`);
    await flood(ann, lines);
    const alert = ann.page.getByTestId('chat-unsent');
    await until([ann], async () => (await alert.count()) === 1, 'Ann told her flood was cut');
    expect(await alert.innerText()).toBe('Slow down — 4 messages not sent.');
    for (const [i, line] of lines.entries()) expect(await count(ann, line), `Ann: ${line}`).toBe(i < burst ? 1 : 0);

    // Once her bucket has a token again, a line goes: after the flood's on the same ordered channel,
    // so when it is in at Bob, every flood line that was sent is too.
    await letTimePass(1_000 / chatDefaults.peerMessagesPerS + 200); // one token, at the sustained rate
    await sayInRoom(ann, 'after the flood');
    await until([ann], async () => (await count(ann, 'after the flood')) === 1, 'Ann’s line after the flood');
    expect(await alert.count(), 'a line sent ends the run of refusals, adding none').toBe(1);
    // Bob's own flood guard shows a player's first lines and counts the rest: the sent ones only.
    const hidden = burst + 1 - chatLimits.floodLines;
    await until(
      [bob],
      async () => (await chatText(bob)).includes(`: ${hidden} more messages hidden`),
      () => `Bob to count ${hidden} hidden lines of Ann’s`,
    );
    const atBob = await chatText(bob);
    for (const [i, line] of lines.entries())
      expect(atBob.includes(line), `Bob: ${line}`).toBe(i < chatLimits.floodLines);
    expect(await bob.page.getByTestId('chat-unsent').count(), 'Bob is told nothing of Ann’s refusals').toBe(0);
    await screenshot(ann.page, 'chat-flood-sender');
    await screenshot(bob.page, 'chat-flood-receiver');
  }, 60_000);

  it('two players chat while the lobby is stopped, each line once', async () => {
    const [ann, bob, code] = await annAndBob(arena);
    const pages = [ann, bob];

    // A line while the lobby is up goes over the mesh too, and shows once.
    await sayInRoom(ann, 'before the outage');
    await until([bob], async () => (await count(bob, 'before the outage')) === 1, 'Ann’s first line at Bob');

    await arena.server.close();
    await until(
      pages,
      async () => (await everyPage(pages, (p) => p.snapshot())).every((s) => s.lobby !== 'online'),
      'both pages to see the lobby gone',
    );
    await sayInRoom(ann, 'the lobby is down');
    await until([bob], async () => (await count(bob, 'the lobby is down')) === 1, 'Ann’s line at Bob');
    await sayInRoom(bob, 'still hear you');
    await until([ann], async () => (await count(ann, 'still hear you')) === 1, 'Bob’s line at Ann');
    await screenshot(bob.page, 'chat-lobby-down');
    for (const p of pages) {
      for (const line of ['before the outage', 'the lobby is down', 'still hear you'])
        expect(await count(p, line), `${p.name}: ${line}`).toBe(1);
      expect((await p.snapshot()).room?.code).toBe(code);
    }
  }, 60_000);
});
