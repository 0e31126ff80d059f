/** `--json`: one JSON object per event and line. */
import type { Output, Reporter } from './reporter.ts';

export function jsonReporter(out: Output): Reporter {
  return {
    onEvent: (event) => {
      out.write(`${JSON.stringify(event)}\n`);
    },
    close: () => {
      /* every event is written as it comes: nothing to flush */
    },
  };
}
