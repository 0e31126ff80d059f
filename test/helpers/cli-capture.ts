/** A `CliIo` for running `yardmaster` commands in-process, keeping what they print. */
import type { CliIo } from '../../src/cli/cli-io.ts';

export interface CapturedIo {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

export function captureIo(
  cwd: string,
  env: Record<string, string> = {},
  signal: AbortSignal = new AbortController().signal,
): CapturedIo {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: { write: (text) => void (stdout += text) },
      stderr: { write: (text) => void (stderr += text) },
      env,
      cwd,
      isTTY: false,
      columns: () => 100,
      signal,
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
