/** Runs an engine operation with the chosen reporter (and the run's journal, when it has one) and returns its result. */
import type { EventSink } from '../../deploy/types.ts';
import type { CliIo } from '../cli-io.ts';
import { chooseReporter } from '../reporters/choose-reporter.ts';

export async function runWithReporter<T>(
  io: CliIo,
  json: boolean,
  operation: (onEvent: EventSink) => Promise<T>,
  journal?: EventSink,
): Promise<T> {
  const reporter = chooseReporter(io, json);
  try {
    return await operation((event) => {
      journal?.(event);
      reporter.onEvent(event);
    });
  } finally {
    reporter.close();
  }
}
