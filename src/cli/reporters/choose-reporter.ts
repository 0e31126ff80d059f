/** `--json` → JSON lines; a terminal → live view; anything else → plain lines. */
import type { CliIo } from '../cli-io.ts';
import { jsonReporter } from './json-reporter.ts';
import { liveReporter } from './live-reporter.ts';
import { plainReporter } from './plain-reporter.ts';
import type { Reporter } from './reporter.ts';

export function chooseReporter(io: CliIo, json: boolean): Reporter {
  if (json) return jsonReporter(io.stdout);
  return io.isTTY ? liveReporter(io.stdout, io.columns) : plainReporter(io.stdout);
}
