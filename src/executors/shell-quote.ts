/**
 * Quotes a value for a POSIX shell so that it is always one literal word: nothing inside is expanded.
 * Every value that comes from a plan or config goes through here before it reaches a command line.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell word cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `NAME='value'` assignments for `env` or `export`; names are checked, values quoted. */
export function shellAssignments(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a valid variable name: ${name}`);
      return `${name}=${shellQuote(value)}`;
    })
    .join(' ');
}
