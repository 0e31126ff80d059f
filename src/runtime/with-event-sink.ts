/** The workers' wiring with one more sink for their events (metrics), shielded from the others. */
import type { WorkerEvent } from '../dispatch/index.ts';
import type { GitHubWorkerWiring } from './start-process-workers.ts';
import { fanOut } from './worker-event-log.ts';

export function withEventSink(wiring: GitHubWorkerWiring, sink: (event: WorkerEvent) => void): GitHubWorkerWiring {
  return { ...wiring, report: wiring.report === undefined ? sink : fanOut(wiring.report, sink) };
}
