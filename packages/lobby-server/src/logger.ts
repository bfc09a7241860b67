/** The logger every server part is handed; nothing logs through `console` directly. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function line(level: string, message: string, fields?: Record<string, unknown>): string {
  const extra = fields
    ? Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    : [];
  return `${new Date().toISOString()} ${level} ${message}${extra.join('')}\n`;
}

/** One line per entry on stderr (info on stdout). */
export const streamLogger: Logger = {
  info: (m, f) => process.stdout.write(line('info', m, f)),
  warn: (m, f) => process.stderr.write(line('warn', m, f)),
  error: (m, f) => process.stderr.write(line('error', m, f)),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
