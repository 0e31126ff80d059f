/** Executor plugins by kind, and connecting a host with the plugin its entry names. */
import type { ExecutorKind, HostEntry } from '../config/types.ts';
import { localExecutorPlugin } from './local-executor.ts';
import { sshExecutorPlugin } from './ssh-executor.ts';
import type { ConnectOptions, Executor, ExecutorPlugin } from './types.ts';

/** Every executor plugin, by the `executor` value of a host entry. */
export const executorPlugins: ReadonlyMap<ExecutorKind, ExecutorPlugin> = new Map<ExecutorKind, ExecutorPlugin>([
  ['ssh', sshExecutorPlugin],
  ['local', localExecutorPlugin],
]);

/**
 * Opens an executor for `host` with the plugin of `host.executor` (rejects with the plugin's ConnectError).
 * `plugins` replaces the built-in table, e.g. in tests.
 */
export function connectExecutor(
  host: HostEntry,
  options: ConnectOptions,
  plugins: ReadonlyMap<ExecutorKind, ExecutorPlugin> = executorPlugins,
): Promise<Executor> {
  const plugin = plugins.get(host.executor);
  if (plugin === undefined) return Promise.reject(new Error(`no executor plugin for kind ${host.executor}`));
  return plugin.connect(host, options);
}
