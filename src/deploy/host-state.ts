/** Reads the `@ym key=value` lines that host scripts print, separating them from ordinary output. */

export interface HostStateLines {
  values: Map<string, string[]>;
  other: string[];
}

const STATE_PREFIX = '@ym ';

/** Splits a script's stdout into state values (by key, in order) and the remaining lines. */
export function parseHostState(stdout: string): HostStateLines {
  const values = new Map<string, string[]>();
  const other: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(STATE_PREFIX)) {
      if (line !== '') other.push(line);
      continue;
    }
    const body = line.slice(STATE_PREFIX.length);
    const eq = body.indexOf('=');
    if (eq <= 0) continue;
    const key = body.slice(0, eq);
    const list = values.get(key) ?? [];
    list.push(body.slice(eq + 1));
    values.set(key, list);
  }
  return { values, other };
}

/** The first value of a key, or undefined. */
export function stateValue(state: HostStateLines, key: string): string | undefined {
  return state.values.get(key)?.[0];
}

/** Every value of a key. */
export function stateValues(state: HostStateLines, key: string): string[] {
  return state.values.get(key) ?? [];
}
