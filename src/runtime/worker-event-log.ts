/** Worker events as log lines: transitions, waiting, deferral, recovery and errors at info/error, engine events at debug. */
import type { WorkerEvent } from '../dispatch/index.ts';

/** The levels used. */
export interface WorkerEventLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A sink that logs every worker event. */
export function logWorkerEvents(log: WorkerEventLogger): (event: WorkerEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'release':
        log.debug({ workOrderId: event.workOrderId, release: event.event }, 'release event');
        return;
      case 'error':
        log.error({ workOrderId: event.workOrderId, message: event.message }, 'worker error');
        return;
      default:
        log.info({ ...event }, `worker: ${event.type}`);
    }
  };
}

/** One sink calling several, each shielded from the others' failures. */
export function fanOut(...sinks: readonly ((event: WorkerEvent) => void)[]): (event: WorkerEvent) => void {
  return (event) => {
    for (const sink of sinks) {
      try {
        sink(event);
      } catch {
        // One adapter failing must not keep the event from the others.
      }
    }
  };
}
