/**
 * Bolt's and Slack's Web API client's log lines into the process's log (pino), at warn and above by default, instead
 * of their own console output. Bolt writes strings; anything else is shown as its type only, so that an object
 * carrying a token never reaches the log.
 */
import { LogLevel, type Logger } from '@slack/bolt';

export interface BoltLogTarget {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error?(fields: object, message: string): void;
}

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

function line(parts: unknown[]): string {
  return parts
    .map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : `[${typeof part}]`))
    .join(' ');
}

export function boltLogger(target: BoltLogTarget, initial: LogLevel = LogLevel.WARN): Logger {
  let level = initial;
  let name = 'slack';
  const enabled = (wanted: LogLevel): boolean => ORDER.indexOf(wanted) >= ORDER.indexOf(level);
  return {
    debug: () => undefined,
    info(...parts: unknown[]) {
      if (enabled(LogLevel.INFO)) target.info({ component: name }, line(parts));
    },
    warn(...parts: unknown[]) {
      if (enabled(LogLevel.WARN)) target.warn({ component: name }, line(parts));
    },
    error(...parts: unknown[]) {
      (target.error ?? target.warn)({ component: name }, line(parts));
    },
    setLevel(next: LogLevel) {
      level = next;
    },
    getLevel: () => level,
    setName(next: string) {
      name = next;
    },
  };
}
