/**
 * Finds a plan's package on the controller and verifies its sha256 before any host sees it:
 * `file://` URLs, paths in the artifact store, and `https://` downloads cached by digest.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

export interface ResolvedPackage {
  path: string;
  size: number;
  sha256: string;
  gzip: boolean;
}

export type PackageFailure =
  | 'not-found'
  | 'checksum-mismatch'
  | 'download-failed'
  | 'outside-artifact-store'
  | 'refused';

export type PackageResult =
  | { ok: true; value: ResolvedPackage }
  | { ok: false; reason: PackageFailure; message: string };

export interface PackageSourceOptions {
  artifactsDir: string;
  cacheDir: string;
  signal?: AbortSignal;
  /** Extra CA certificates for https downloads (PEM). */
  ca?: string | Buffer;
  /** Set in server mode (the operator's policy); absent, the operator runs the CLI and may read any file. */
  access?: PackageAccess;
}

/** What a release may read, from the operator's policy for the repository. */
export interface PackageAccess {
  /**
   * Directories (ending in `/`) or path prefixes that package files must be inside once symbolic links are resolved.
   */
  localRoots: readonly string[];
  /** Checks each URL fetched, redirects included: `undefined` = allowed, else why not. */
  checkUrl(url: string): string | undefined;
}

/** The real path of `dir` (if it exists), keeping a trailing `/`: roots are compared with their links resolved. */
async function realRoot(root: string): Promise<string> {
  const slash = root.endsWith('/');
  const bare = slash ? root.slice(0, -1) || '/' : root;
  try {
    const real = await realpath(bare);
    return slash && !real.endsWith('/') ? `${real}/` : real;
  } catch {
    return root;
  }
}

/**
 * Whether the file at `path`, with every symbolic link resolved, lies inside one of `roots`. A file that does not exist
 * is outside: nothing about it (not even that it is missing) is worth telling a repository.
 */
async function insideRoots(path: string, roots: readonly string[]): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return false;
  }
  for (const root of roots) {
    if (real.startsWith(await realRoot(root))) return true;
  }
  return false;
}

/** Hashes a file with sha256 (hex). */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash, signal ? { signal } : {});
  return hash.digest('hex');
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function verifyLocal(path: string, expected: string, signal?: AbortSignal): Promise<PackageResult> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, reason: 'not-found', message: `package ${path} is not a file` };
    size = info.size;
  } catch {
    return { ok: false, reason: 'not-found', message: `package not found: ${path}` };
  }
  const actual = await sha256File(path, signal);
  if (actual !== expected.toLowerCase()) {
    return {
      ok: false,
      reason: 'checksum-mismatch',
      message: `package ${path} has sha256 ${actual}, but the plan says ${expected}; refused before unpacking anywhere`,
    };
  }
  return { ok: true, value: { path, size, sha256: actual, gzip: await isGzip(path) } };
}

function localPathFor(url: string, artifactsDir: string): { ok: true; path: string } | { ok: false; message: string } {
  if (url.startsWith('file://')) return { ok: true, path: fileURLToPath(url) };
  if (isAbsolute(url)) return { ok: true, path: url };
  const path = resolve(artifactsDir, url);
  const inside = relative(artifactsDir, path);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    return { ok: false, message: `package path ${url} leaves the artifact store ${artifactsDir}` };
  }
  return { ok: true, path };
}

function request(url: string, options: PackageSourceOptions): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    // process.getBuiltinModule, not `import … from 'node:http'`: an ES module import of node:http reads all its
    // exports, and its WebSocket getters load undici (tens of ms before the CLI's deploy reaches its first host).
    const get = url.startsWith('https:')
      ? process.getBuiltinModule('node:https').get
      : process.getBuiltinModule('node:http').get;
    const req = get(url, {
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    req.on('response', resolvePromise);
    req.on('error', reject);
  });
}

async function download(url: string, target: string, options: PackageSourceOptions, redirects = 5): Promise<void> {
  const response = await request(url, options);
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location && redirects > 0) {
    response.resume();
    const next = new URL(response.headers.location, url).toString();
    if (!next.startsWith('https://') && url.startsWith('https://'))
      throw new Error(`refusing a redirect from https to ${next}`);
    const refusal = options.access?.checkUrl(next);
    if (refusal !== undefined) throw new Error(`refusing a redirect to ${redactUrl(next)}: ${refusal}`);
    return download(next, target, options, redirects - 1);
  }
  if (status !== 200) {
    response.resume();
    throw new Error(`HTTP ${status}`);
  }
  await pipeline(response, createWriteStream(target), options.signal ? { signal: options.signal } : {});
}

/** Resolves and verifies a package. Downloads land in the cache under their sha256 and are reused. */
export async function resolvePackage(
  url: string,
  sha256: string,
  options: PackageSourceOptions,
): Promise<PackageResult> {
  if (!/^https?:\/\//.test(url)) {
    const local = localPathFor(url, options.artifactsDir);
    if (!local.ok) return { ok: false, reason: 'outside-artifact-store', message: local.message };
    // Checked before the file is even looked at: its size, existence and sha256 are the controller's business.
    if (options.access !== undefined && !(await insideRoots(local.path, options.access.localRoots))) {
      return {
        ok: false,
        reason: 'refused',
        message: `package ${url} is not a readable file in the places the operator's policy allows`,
      };
    }
    return verifyLocal(local.path, sha256, options.signal);
  }
  const refusal = options.access?.checkUrl(url);
  if (refusal !== undefined)
    return { ok: false, reason: 'refused', message: `package ${redactUrl(url)} refused: ${refusal}` };
  await mkdir(options.cacheDir, { recursive: true });
  const cached = join(options.cacheDir, `${sha256.toLowerCase()}.pkg`);
  const existing = await verifyLocal(cached, sha256, options.signal);
  if (existing.ok) return existing;
  const partial = `${cached}.${process.pid}.partial`;
  try {
    await download(url, partial, options);
  } catch (error) {
    await rm(partial, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: 'download-failed', message: `could not download ${redactUrl(url)}: ${reason}` };
  }
  const verified = await verifyLocal(partial, sha256, options.signal);
  if (!verified.ok) {
    await rm(partial, { force: true });
    return { ...verified, message: verified.message.replace(partial, redactUrl(url)) };
  }
  await rename(partial, cached);
  return { ok: true, value: { ...verified.value, path: cached } };
}

/** Drops credentials and query strings (often signed tokens) from a URL before it goes into a message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    // Appended after serialising: set as the search, the ellipsis would be percent-encoded (`?%E2%80%A6`).
    const hidden = parsed.search ? '?…' : '';
    parsed.search = '';
    parsed.hash = '';
    return `${parsed.toString()}${hidden}`;
  } catch {
    return '(invalid URL)';
  }
}
