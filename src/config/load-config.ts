/** Reading the repo config from disk (the CLI's `--config`). */
import { readFile } from 'node:fs/promises';
import type { ParseResult } from '../plan/types.ts';
import { parseRepoConfig } from './parse-config.ts';
import type { RepoConfig } from './types.ts';

function readProblem(path: string, error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  switch (code) {
    case 'ENOENT':
      return `config file ${path} does not exist`;
    case 'EISDIR':
      return `config file ${path} is a directory`;
    case 'EACCES':
      return `config file ${path} cannot be read (permission denied)`;
    default:
      return `config file ${path} cannot be read${code === undefined ? '' : ` (${code})`}`;
  }
}

/**
 * Reads and parses a repo config file. A file that cannot be read is reported as an issue like any invalid content,
 * so callers handle one kind of failure.
 */
export async function loadRepoConfigFile(path: string): Promise<ParseResult<RepoConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ line: 0, column: 0, path: '', message: readProblem(path, error) }] };
  }
  return parseRepoConfig(text);
}
