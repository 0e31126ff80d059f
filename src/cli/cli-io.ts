/** What a CLI command gets from the process, so tests can run commands in-process. */
import type { Output } from './reporters/reporter.ts';

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Is stdout a terminal (live view) and how wide. */
  isTTY: boolean;
  columns: () => number;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
  /**
   * Reads a secret value from standard input, never echoing it (on a terminal the typing is hidden); at most
   * `maxBytes` bytes are kept, `too-large` past that. Absent when the process has no usable stdin.
   */
  readSecret?: (prompt: string, maxBytes: number) => Promise<Buffer | 'too-large'>;
}

/** Exit codes: 0 released, 1 failed (and rolled back), 2 invalid input. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;
