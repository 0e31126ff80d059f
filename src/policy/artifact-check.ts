/** Whether a grant lets a repository take its package from a location, before and while it is fetched. */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PackageAccess } from '../deploy/index.ts';
import { isPrivateHost } from './private-address.ts';
import { defaultGrant, describeOrigin } from './repo-grant.ts';
import type { RepoGrant } from './types.ts';

/** A package location read the way the package source reads it. */
type Location = { kind: 'file'; path: string } | { kind: 'url'; url: URL } | { kind: 'invalid'; message: string };

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function readLocation(location: string, artifactsDir: string): Location {
  if (!SCHEME.test(location)) {
    return { kind: 'file', path: isAbsolute(location) ? resolve(location) : resolve(artifactsDir, location) };
  }
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return { kind: 'invalid', message: 'not a valid URL' };
  }
  if (url.protocol === 'file:') {
    if (url.hostname !== '' && url.hostname !== 'localhost')
      return { kind: 'invalid', message: 'a file:// URL must name a local path' };
    return { kind: 'file', path: resolve(fileURLToPath(url)) };
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') return { kind: 'url', url };
  return { kind: 'invalid', message: `unsupported URL scheme "${url.protocol}"` };
}

function inside(directory: string, path: string): boolean {
  const rest = relative(resolve(directory), path);
  return rest === '' ? false : !rest.startsWith('..') && !isAbsolute(rest);
}

/**
 * Checks a package location against a grant. Without a policy file (the defaults): https anywhere, http only to
 * public addresses, files only inside the artifact store. With a rule's `artifacts`: only locations whose normalised
 * URL starts with one of the prefixes (files as `file://` URLs). Symbolic links are the run-time check's business
 * ({@link localPackageRoots}).
 *
 * @returns `undefined` when allowed, else a message for the plan's author.
 */
export function artifactProblem(grant: RepoGrant, location: string): string | undefined {
  const read = readLocation(location, grant.artifactsDir);
  if (read.kind === 'invalid') return read.message;
  const origin = describeOrigin(grant);
  if (grant.origin.kind === 'no-rule') return `no rule of ${origin} matches ${grant.repoFullName}`;
  if (grant.artifacts.kind === 'prefixes') {
    const href = read.kind === 'file' ? pathToFileURL(read.path).href : read.url.href;
    if (grant.artifacts.prefixes.some((prefix) => href.startsWith(prefix))) return undefined;
    const allowed = grant.artifacts.prefixes.length === 0 ? 'none' : grant.artifacts.prefixes.join(', ');
    return `packages of ${grant.repoFullName} may only come from ${allowed} (${origin})`;
  }
  if (read.kind === 'file') {
    return inside(grant.artifactsDir, read.path)
      ? undefined
      : `a package file must be inside the artifact store (${origin})`;
  }
  if (read.url.protocol === 'http:' && isPrivateHost(read.url.hostname)) {
    return `plain http:// to ${read.url.hostname} is refused: http only to public addresses, else https:// (${origin})`;
  }
  return undefined;
}

/**
 * The directories package files may be read from at run time (their real paths are checked against these, after
 * resolving symbolic links): the artifact store for the defaults, the `file://` prefixes of a rule.
 */
export function localPackageRoots(grant: RepoGrant): string[] {
  if (grant.artifacts.kind === 'defaults') return [join(resolve(grant.artifactsDir), '/')];
  return grant.artifacts.prefixes.filter((prefix) => prefix.startsWith('file:')).map((prefix) => fileURLToPath(prefix));
}

/** The run-time side of a grant's `artifacts`, for the package source (src/deploy/package-source.ts). */
export function packageAccess(grant: RepoGrant): PackageAccess {
  return { localRoots: localPackageRoots(grant), checkUrl: (url) => artifactProblem(grant, url) };
}

/**
 * Where packages added through the lanes API (`PUT /v1/catalog/<service>/packages/<version>`) may come from: the
 * default rule — https anywhere, http only to public addresses, files only inside the artifact store — whatever the
 * repositories' rules allow (the API's token may sit in a CI system; it is no repository's).
 */
export function lanesApiPackageRule(artifactsDir: string): (url: string) => string | undefined {
  const grant = defaultGrant('the lanes API', artifactsDir);
  return (url) => artifactProblem(grant, url);
}
