/**
 * src/executors/: running commands on hosts: the Executor plugins (ssh, local) and their registry.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { isExecutorLost } from './executor-lost-error.ts';
export { connectExecutor } from './registry.ts';
export { shellAssignments, shellQuote } from './shell-quote.ts';
export { connectWithCredentials } from './ssh-credentials.ts';
export {
  type HostKeyScan,
  type HostKeyStatus,
  hostKeyStatus,
  SCAN_CONCURRENCY,
  SCAN_TIMEOUT_MS,
  scanHostKey,
  scanHostKeys,
} from './scan-host-key.ts';
