/** The size of a package a host will pull, asked of its server with one HEAD request before any host fetches it. */
import type { IncomingMessage } from 'node:http';

const HEAD_TIMEOUT_MS = 10_000;

/**
 * The `content-length` a HEAD of `url` answers with 200, else why it is not known. No redirect is followed: a host
 * pulling the package follows none either. `url` was checked against the operator's policy by the caller.
 */
export async function headContentLength(
  url: string,
  signal: AbortSignal,
): Promise<{ ok: true; bytes: number } | { ok: false; why: string }> {
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(HEAD_TIMEOUT_MS)]);
  const requestFn = url.startsWith('https:')
    ? process.getBuiltinModule('node:https').request
    : process.getBuiltinModule('node:http').request;
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = requestFn(url, { method: 'HEAD', signal: bounded });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    response.resume();
    const status = response.statusCode ?? 0;
    if (status !== 200) return { ok: false, why: `HEAD answered HTTP ${String(status)}` };
    const length = Number(response.headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) return { ok: false, why: 'HEAD gave no content-length' };
    return { ok: true, bytes: length };
  } catch (error) {
    return { ok: false, why: `HEAD failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
