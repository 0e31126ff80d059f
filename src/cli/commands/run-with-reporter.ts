/** Runs an engine operation with the chosen reporter and returns its result. */
import type { EventSink } from '../../deploy/types.ts';
import type { CliIo } from '../cli-io.ts';
import { chooseReporter } from '../reporters/choose-reporter.ts';

export async function runWithReporter<T>(
  io: CliIo,
  json: boolean,
  operation: (onEvent: EventSink) => Promise<T>,
): Promise<T> {
  const reporter = chooseReporter(io, json);
  try {
    return await operation((event) => {
      reporter.onEvent(event);
    });
  } finally {
    reporter.close();
  }
}
