/**
 * The one module allowed to assert types (ESLint's consistent-type-assertions is `never` everywhere else in src and
 * bench). Each function is one small assertion with the reason it is sound; everything else narrows with zod or a
 * type guard. Add a function here only when neither can express the fact, and say why.
 */

/**
 * A property of a value of unknown shape, as `unknown` (the caller narrows it). Sound: reading a property never
 * asserts what it holds; only the lookup needs the value seen as a record, and it is an object (or not read at all).
 */
export function propertyOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || !(name in value)) return undefined;
  return (value as Record<string, unknown>)[name];
}

/** The `code` of a Node system error (`ENOENT`, `EPERM`, …), if `error` carries a string one. */
export function errnoCode(error: unknown): string | undefined {
  const code = propertyOf(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

/**
 * The keys of an object literal, typed as its keys. Sound for records built in this codebase from a literal with a
 * fixed key type (such as `Record<Name, …>`): Object.keys is typed `string[]` only because an object may carry
 * more properties than its type says, which such a record does not.
 */
export function keysOf<Key extends string>(record: Readonly<Record<Key, unknown>>): Key[] {
  return Object.keys(record) as Key[];
}

/**
 * A value a zod schema has just produced, typed as that schema's output where a generic caller names it through an
 * indexed type. Sound when `parsed` came from the very schema `Output` is inferred from (a queue definition's
 * schema and its `JobData`): TypeScript cannot follow the `infer` through the index, the value is already parsed.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the output: that is the assertion
export function schemaOutput<Output>(parsed: unknown): Output {
  return parsed as Output;
}
