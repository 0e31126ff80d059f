/** Replaces secret values with `***` wherever they appear in text bound for logs, events or comments. */

/**
 * A masker: text in, the same text with every secret replaced out. `needles` (when present) are the exact texts it
 * replaces, longest first; a stream that cuts text into pieces needs them to never cut through a secret.
 */
export type Masker = ((text: string) => string) & { readonly needles?: readonly string[] };

/** Builds a masker for the given secret values; longest first so that overlapping secrets mask fully. */
export function createMasker(secrets: Iterable<string>): Masker {
  const needles = [...new Set([...secrets].flatMap((value) => [value, ...value.split('\n')]))]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return Object.assign((text: string) => text, { needles });
  return Object.assign((text: string) => needles.reduce((masked, needle) => masked.replaceAll(needle, '***'), text), {
    needles,
  });
}
