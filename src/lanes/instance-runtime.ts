/** Which runtime runs an instance, so that it is stopped (or given a new build) by the runtime that started it. */
import type { LaneInstance } from './library-store.ts';
import type { LaneRuntime } from './process-runtime.ts';

export interface LaneRuntimes {
  /** The runtime that starts missing versions. */
  runtime: LaneRuntime;
  /** Runtimes by name, to reach instances whichever started them (default: just `runtime`). */
  runtimes?: Readonly<Record<string, LaneRuntime>>;
}

/** The runtime that started `instance`, if this process has it (a registered instance has none: it runs on). */
export function runtimeOf(deps: LaneRuntimes, instance: Pick<LaneInstance, 'runtime'>): LaneRuntime | undefined {
  return deps.runtimes?.[instance.runtime] ?? (instance.runtime === deps.runtime.name ? deps.runtime : undefined);
}

/** Stops an instance with the runtime that started it, if this process has that runtime. */
export async function stopInstance(deps: LaneRuntimes, instance: LaneInstance): Promise<void> {
  const runtime = runtimeOf(deps, instance);
  if (runtime !== undefined && instance.runtimeRef !== null) await runtime.stop(instance.runtimeRef);
}
