/** The fields of a small `application/x-www-form-urlencoded` POST body, read with a size limit. */
import type { IncomingMessage } from 'node:http';

/** Largest form body accepted (a sign-out form holds one token). */
export const MAX_FORM_BYTES = 8 * 1024;

/** The fields, or why not: `too-large` (stop reading), `not-a-form` (another content type). */
export type FormBody = { ok: true; fields: URLSearchParams } | { ok: false; reason: 'too-large' | 'not-a-form' };

/** Reads the body as a form; stops (and discards the rest) once it exceeds `maxBytes`. */
export async function readFormBody(request: IncomingMessage, maxBytes = MAX_FORM_BYTES): Promise<FormBody> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    request.resume();
    return { ok: false, reason: 'not-a-form' };
  }
  const declared = Number(request.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return { ok: false, reason: 'too-large' };
  }
  // Listeners rather than `for await`: leaving that loop early destroys the request, and the socket with it,
  // before the 413 could be sent.
  const text = await new Promise<string | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.off('end', onEnd);
      request.resume();
      resolve(undefined);
    };
    const onEnd = (): void => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.once('error', reject);
  });
  if (text === undefined) return { ok: false, reason: 'too-large' };
  return { ok: true, fields: new URLSearchParams(text) };
}
