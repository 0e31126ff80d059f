/**
 * The host went away while an operation was running (connection reset, sshd killed, keepalive timeout), as
 * opposed to a command that ran and failed. `exec`, `putFile` and `openTcp` reject with this; once lost, an
 * executor stays lost and every later call rejects the same way: connect a new one to try again.
 */
export class ExecutorLostError extends Error {
  readonly hostName: string;
  constructor(hostName: string, detail: string, options?: ErrorOptions) {
    super(`lost the connection to ${hostName}: ${detail}`, options);
    this.name = 'ExecutorLostError';
    this.hostName = hostName;
  }
}

/** True for an {@link ExecutorLostError}. */
export function isExecutorLost(error: unknown): error is ExecutorLostError {
  return error instanceof ExecutorLostError;
}
