/** Shared types of the GitHub adapter. */

/** The logging handlers do (a pino logger, as Probot's `context.log`, fits). */
export interface HandlerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
