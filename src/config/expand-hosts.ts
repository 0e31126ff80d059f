/** Turns group and host names into host entries. */
import type { HostEntry } from './types.ts';

/** The result of expanding names: the hosts in order (deduplicated), and the names that matched nothing. */
export interface ExpandedHosts {
  hosts: HostEntry[];
  /** Index into the input list and the name, for each unknown name. */
  unknown: { index: number; name: string }[];
}

/**
 * Expands a list of group and host names against the config's `hosts:` groups: a group stands for its hosts in the
 * order written, a host name for that host. A host reached twice appears once, where it was first reached, because
 * the list order is the rollout order.
 */
export function expandHostNames(
  groups: Readonly<Record<string, readonly HostEntry[]>>,
  names: readonly string[],
): ExpandedHosts {
  const byName = new Map<string, HostEntry>();
  for (const entries of Object.values(groups)) {
    for (const entry of entries) if (!byName.has(entry.name)) byName.set(entry.name, entry);
  }
  const hosts: HostEntry[] = [];
  const seen = new Set<string>();
  const unknown: ExpandedHosts['unknown'] = [];
  names.forEach((name, index) => {
    const group = Object.hasOwn(groups, name) ? groups[name] : undefined;
    const entries = group ?? (byName.has(name) ? [byName.get(name)] : undefined);
    if (entries === undefined) {
      unknown.push({ index, name });
      return;
    }
    for (const entry of entries) {
      if (entry === undefined || seen.has(entry.name)) continue;
      seen.add(entry.name);
      hosts.push(entry);
    }
  });
  return { hosts, unknown };
}

/** Every group and host name, for "did you mean …?" suggestions. */
export function knownHostNames(groups: Readonly<Record<string, readonly HostEntry[]>>): string[] {
  return [
    ...new Set([...Object.keys(groups), ...Object.values(groups).flatMap((entries) => entries.map((e) => e.name))]),
  ];
}
