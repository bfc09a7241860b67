// docs/netcode.md quotes examples/dots so that its walkthrough can be copied and run: every code
// block marked `<!-- quote: path -->` must still be in that file word for word (a line `// …`
// marks an elision: the parts around it appear in the file in that order), and every relative
// link in the guide must lead to a file that exists.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/netcode.md', root), 'utf8');
const ELISION = '\n// …\n';

const quotes = [...doc.matchAll(/<!-- quote: (\S+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)].map((m) => ({
  path: m[1] ?? '',
  text: m[2] ?? '',
}));

describe('docs/netcode.md', () => {
  it('quotes the example word for word', () => {
    expect(quotes.length).toBeGreaterThanOrEqual(8);
    for (const { path, text } of quotes) {
      const source = readFileSync(new URL(path, root), 'utf8');
      let from = 0;
      for (const part of text.split(ELISION)) {
        const at = source.indexOf(part, from);
        expect(at, `${path} no longer has:\n${part}`).toBeGreaterThanOrEqual(0);
        from = at + part.length;
      }
    }
  });

  it('links only to files that exist', () => {
    const links = [...doc.matchAll(/\]\((\.\.\/[^)#\s]+)/g)].map((m) => m[1] ?? '');
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(existsSync(new URL(link, new URL('docs/', root))), link).toBe(true);
  });
});
