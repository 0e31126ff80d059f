/**
 * Finds a plan's package on the controller and verifies its sha256 before any host sees it:
 * `file://` URLs, paths in the artifact store, and `https://` downloads cached by digest.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

export interface ResolvedPackage {
  path: string;
  size: number;
  sha256: string;
  gzip: boolean;
}

export type PackageFailure = 'not-found' | 'checksum-mismatch' | 'download-failed' | 'outside-artifact-store';

export type PackageResult = { ok: true; value: ResolvedPackage } | { ok: false; reason: PackageFailure; message: string };

export interface PackageSourceOptions {
  artifactsDir: string;
  cacheDir: string;
  signal?: AbortSignal;
  /** Extra CA certificates for https downloads (PEM). */
  ca?: string | Buffer;
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
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { ...(options.ca ? { ca: options.ca } : {}), ...(options.signal ? { signal: options.signal } : {}) });
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
    if (!next.startsWith('https://') && url.startsWith('https://')) throw new Error(`refusing a redirect from https to ${next}`);
    return download(next, target, options, redirects - 1);
  }
  if (status !== 200) {
    response.resume();
    throw new Error(`HTTP ${status}`);
  }
  await pipeline(response, createWriteStream(target), options.signal ? { signal: options.signal } : {});
}

/** Resolves and verifies a package. Downloads land in the cache under their sha256 and are reused. */
export async function resolvePackage(url: string, sha256: string, options: PackageSourceOptions): Promise<PackageResult> {
  if (!/^https?:\/\//.test(url)) {
    const local = localPathFor(url, options.artifactsDir);
    if (!local.ok) return { ok: false, reason: 'outside-artifact-store', message: local.message };
    return verifyLocal(local.path, sha256, options.signal);
  }
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
    parsed.search = parsed.search ? '?…' : '';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
