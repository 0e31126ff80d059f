/**
 * The environment variables Yardmaster reads, found in its sources: the keys of the zod schemas that parse the
 * environment (`const …envSchema = z.object({ NAME: … })`), every `env.NAME` / `env['NAME']` read, and the `*_VARIABLE`
 * constants that name one. Read from the text of src/ so that a variable added there is known here at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Read by Node or by Probot itself rather than by src/, and meant to be set by operators. */
export const RUNTIME_VARIABLES = ['NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'TZ', 'NO_SMEE_SETUP'] as const;

const NAME = '[A-Z][A-Z0-9_]*';
const READS = [
  new RegExp(`\\benv\\??\\.(${NAME})\\b`, 'g'),
  new RegExp(`\\benv\\[['"](${NAME})['"]\\]`, 'g'),
  new RegExp(`_VARIABLE\\s*=\\s*'(${NAME})'`, 'g'),
];
const SCHEMA_KEY = new RegExp(`^\\s+(${NAME})\\s*:`, 'gm');
const PARSES_ENV = /\b\w*[eE]nvSchema\s*=\s*z\.object\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The variables one source file reads. */
export function variablesIn(source: string): Set<string> {
  const found = new Set<string>();
  for (const pattern of READS) for (const match of source.matchAll(pattern)) if (match[1]) found.add(match[1]);
  if (PARSES_ENV.test(source)) for (const match of source.matchAll(SCHEMA_KEY)) if (match[1]) found.add(match[1]);
  return found;
}

/** Every variable read under `srcDir`, plus {@link RUNTIME_VARIABLES}. */
export function serverVariables(srcDir: string): Set<string> {
  const known = new Set<string>(RUNTIME_VARIABLES);
  for (const file of sourceFiles(srcDir)) for (const name of variablesIn(readFileSync(file, 'utf8'))) known.add(name);
  return known;
}
