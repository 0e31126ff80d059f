/**
 * src/runtime/: one process: database, migrations, queues and release workers.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { openRuntime, type Runtime } from './open-runtime.ts';
export { parseRuntimeEnv, type RuntimeConfig } from './runtime-env.ts';
export { type GitHubWorkerWiring, startProcessWorkers } from './start-process-workers.ts';
export { withEventSink } from './with-event-sink.ts';
export { workerConnect } from './worker-connect.ts';
