/**
 * src/server/: the HTTP server of the App and its wiring (env, Probot, shutdown).
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { createAppProbot } from './create-app-probot.ts';
export { parseServerEnv } from './env.ts';
export { githubWorkerWiring } from './github-worker-wiring.ts';
export { createLogger } from './logger.ts';
export { loadPrivateKey } from './private-key.ts';
export { stopOnSignals } from './shutdown.ts';
export { startFromConfig } from './start-from-config.ts';
