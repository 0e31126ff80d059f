/** Replaces secret values with `***` wherever they appear in text bound for logs, events or comments. */
export type Masker = (text: string) => string;

/** Builds a masker for the given secret values; longest first so that overlapping secrets mask fully. */
export function createMasker(secrets: Iterable<string>): Masker {
  const needles = [...new Set([...secrets].flatMap((value) => [value, ...value.split('\n')]))]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (text) => text;
  return (text) => needles.reduce((masked, needle) => masked.replaceAll(needle, '***'), text);
}
