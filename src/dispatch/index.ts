/**
 * The public face of src/dispatch/ (the release worker: the pg-boss loop, the lease heartbeat, the engine calls,
 * worker events): what other folders import, besides its types.ts.
 */
export { openQueue } from './queue.ts';
export { RELEASE_QUEUES } from './release-queues.ts';
export { type ReleaseWorker, startReleaseWorker } from './release-worker.ts';
export { type WorkerEvent } from './worker-events.ts';
export { type JournalImporter, startJournalImport } from './journal-import-loop.ts';
