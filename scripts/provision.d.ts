/** Types of provision.js (plain JavaScript, so `npm test` needs no build or loader to start). */
export interface Tool {
  /** The command, or the name of the file at `path`. */
  name: string;
  /** Where the tool must be, when it is not looked up on PATH. */
  path?: string;
  /** Its Debian package. */
  apt: string;
  /** What cannot run without it. */
  suites: string;
}
export const TOOLS: readonly Tool[];
export function hasTool(tool: Tool): boolean;
export function installCommand(tools: readonly Tool[]): string;
export function provision(options?: { install?: boolean; log?: (line: string) => void }): Tool[];
export function missingReport(missing: readonly Tool[]): string;
