/** Glob patterns of the policy file: `acme/*`, `*.prod.acme.internal`, `web-?`. Case-insensitive, whole string. */

const SPECIAL = /[.+^${}()|[\]\\]/g;

/**
 * Compiles a glob: `*` matches any run of characters except `/` (so `acme/*` never reaches `acme/x/y`-like names, and
 * an owner glob stays an owner glob), `?` one such character; everything else stands for itself. Case-insensitive.
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(SPECIAL, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether `text` matches `glob` (see {@link globToRegExp}). */
export function globMatches(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}
