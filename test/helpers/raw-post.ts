/**
 * A POST over a plain socket that writes its body a piece at a time (each piece once the previous one left for the
 * kernel), so that when the answer arrives the test knows how much of the body the server could have read at most.
 */
import { connect } from 'node:net';

const PIECE = 64 * 1024;

/** How a raw POST ended. */
export interface RawAnswer {
  /** The response as far as it came (status line first). */
  response: string;
  /** Body bytes handed to the kernel when the first byte of the answer arrived. */
  sentAtAnswer: number;
  total: number;
}

/** POSTs `body` to `url` with `headers` (no Content-Length/Transfer-Encoding: `chunked` chooses). */
export function rawPost(url: URL, headers: Record<string, string>, body: Buffer, chunked: boolean): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let sent = 0;
    let sentAtAnswer: number | undefined;
    let response = '';
    const finish = (): void => {
      socket.destroy();
      if (sentAtAnswer === undefined) reject(new Error(`no answer; sent ${sent} of ${body.length} bytes`));
      else resolve({ response, sentAtAnswer, total: body.length });
    };
    socket.on('data', (data: Buffer) => {
      sentAtAnswer ??= sent;
      response += data.toString('latin1');
      if (response.includes('\r\n\r\n') && !response.endsWith('\r\n\r\n')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const head = [
      `POST ${url.pathname} HTTP/1.1`,
      `host: ${url.host}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      chunked ? 'transfer-encoding: chunked' : `content-length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    const next = (): void => {
      if (sentAtAnswer !== undefined || socket.destroyed) return;
      if (sent >= body.length) {
        if (chunked) socket.write('0\r\n\r\n');
        return;
      }
      const piece = body.subarray(sent, sent + PIECE);
      const framed = chunked
        ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
        : piece;
      socket.write(framed, (error) => {
        if (error !== undefined && error !== null) return;
        sent += piece.length;
        next();
      });
    };
    socket.once('connect', () =>
      socket.write(head, () => {
        next();
      }),
    );
  });
}
