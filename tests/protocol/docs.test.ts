// The protocol doc and the code say the same thing: message types, error codes, the spec copy.
import { existsSync, readFileSync } from 'node:fs';
import { CloseCode, clientMessageSchemas, ErrorCode, serverMessageTypes } from '@tickmesh/protocol';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/lobby-protocol.md', import.meta.url), 'utf8');
const spec = doc.split('\n---\n')[0] ?? '';
const decisions = doc.split('\n---\n')[1] ?? '';

/** Message types listed in the first column of the table under `heading`. */
function tableTypes(heading: string): string[] {
  const section = spec.split(heading)[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([a-z.]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('docs/lobby-protocol.md', () => {
  it('is a verbatim copy of the project spec, when the spec is beside the repo', () => {
    const source = new URL('../../../shared/lobby-protocol.md', import.meta.url);
    if (!existsSync(source)) return; // a clone without the shared folder: nothing to compare
    expect(`${spec.trimEnd()}\n`).toBe(`${readFileSync(source, 'utf8').trimEnd()}\n`);
  });

  it("lists exactly the client message types the schemas parse: the spec's, and the ones this implementation adds", () => {
    const added = [
      ...(decisions.split('- Messages added by this implementation:')[1]?.split('\n')[0] ?? '').matchAll(
        /`([a-z.]+)`/g,
      ),
    ].map((m) => m[1]);
    expect([...tableTypes('## Messages, client to server'), ...added].sort()).toEqual(
      Object.keys(clientMessageSchemas).sort(),
    );
  });

  it('lists exactly the server message types the schema accepts', () => {
    expect(tableTypes('## Messages, server to client').sort()).toEqual([...serverMessageTypes].sort());
  });

  it("names exactly the error codes of the code table: the spec's, and the ones this implementation adds", () => {
    const codesIn = (text: string) => [...text.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);
    const specCodes = codesIn(spec.split('- Error codes:')[1]?.split('\n- ')[0] ?? '');
    const added = codesIn(decisions.split('- Error codes added by this implementation:')[1]?.split('\n- ')[0] ?? '');
    expect(added.filter((code) => specCodes.includes(code))).toEqual([]);
    expect([...new Set([...specCodes, ...added])].sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('names every close code the server uses', () => {
    const closes = decisions.split('- Close codes:')[1]?.split('\n- ')[0] ?? '';
    for (const code of Object.values(CloseCode)) expect(closes, String(code)).toContain(String(code));
  });
});
