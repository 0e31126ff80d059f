/** The process's logger: pino, JSON lines on stdout (pipe through pino-pretty to read them). */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './env.ts';

/** A root logger at `level`. */
export function createLogger(level: LogLevel): Logger {
  return pino({ name: 'yardmaster', level });
}
