/**
 * hadnet's one logger. A library prints nothing unless asked: the default level is `'silent'`.
 * The CLIs raise it to `'warn'` (or `'debug'` with `--debug`); applications may route messages to
 * their own logger with {@link setLogger}.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where log lines go. Any object with these four methods fits, `console` included. */
export interface LogSink {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const noop = (): void => {};
let sink: LogSink = { debug: noop, info: noop, warn: noop, error: noop };
let threshold: LogLevel = 'silent';

/**
 * Sets where log lines go and, optionally, the level.
 * @param next - the sink, or `null` to drop every message
 * @param level - the lowest level passed on; unchanged when omitted
 */
export function setLogger(next: LogSink | null, level?: LogLevel): void {
  sink = next ?? { debug: noop, info: noop, warn: noop, error: noop };
  if (level !== undefined) setLogLevel(level);
}

/**
 * Sets the lowest level that reaches the sink.
 * @defaultValue `'silent'`
 */
export function setLogLevel(level: LogLevel): void {
  if (!(level in rank)) {
    throw new RangeError(
      `setLogLevel: level must be one of ${Object.keys(rank).join(', ')}; got ${String(level)}`,
    );
  }
  threshold = level;
}

/** The current level. */
export function getLogLevel(): LogLevel {
  return threshold;
}

function emit(level: Exclude<LogLevel, 'silent'>, message: string | (() => string)): void {
  if (rank[level] < rank[threshold]) return;
  sink[level](typeof message === 'function' ? message() : message);
}

/** Library-side logging. A function argument is only called when its level is enabled. */
export const log = {
  debug: (message: string | (() => string)): void => emit('debug', message),
  info: (message: string | (() => string)): void => emit('info', message),
  warn: (message: string | (() => string)): void => emit('warn', message),
  error: (message: string | (() => string)): void => emit('error', message),
};
