/**
 * A stand-in for Slack's Socket Mode endpoint on 127.0.0.1: a minimal WebSocket server (RFC 6455: handshake,
 * unfragmented text frames, ping → pong, close) that says `hello`, sends envelopes and keeps the app's acks.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRecordWaiter } from './record-waiter.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface SocketModeServer {
  /** `ws://127.0.0.1:<port>/link`: what `apps.connections.open` answers. */
  url: string;
  /** JSON messages the app sent (acks), in order. */
  received: Record<string, unknown>[];
  /** Sends an envelope (or any message) to every connected app. */
  send(message: object): void;
  /** Resolves once an app is connected (and greeted). */
  connected(timeoutMs?: number): Promise<void>;
  waitFor(where: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (length >= 126 && length < 65_536) {
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else if (length >= 65_536) {
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Frames from the client (always masked); returns the rest of the buffer that is not a whole frame yet. */
function readFrames(buffer: Buffer, onFrame: (opcode: number, payload: Buffer) => void): Buffer {
  let rest = buffer;
  for (;;) {
    if (rest.length < 2) return rest;
    const opcode = (rest[0] ?? 0) & 0x0f;
    let length = (rest[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (rest.length < 4) return rest;
      length = rest.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (rest.length < 10) return rest;
      length = Number(rest.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = ((rest[1] ?? 0) & 0x80) !== 0;
    const mask = masked ? rest.subarray(offset, offset + 4) : undefined;
    offset += masked ? 4 : 0;
    if (rest.length < offset + length) return rest;
    const payload = Buffer.from(rest.subarray(offset, offset + length));
    if (mask !== undefined)
      for (let index = 0; index < payload.length; index++)
        payload[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
    onFrame(opcode, payload);
    rest = rest.subarray(offset + length);
  }
}

export async function startSocketModeServer(): Promise<SocketModeServer> {
  const sockets = new Set<Duplex>();
  const received: Record<string, unknown>[] = [];
  const waiter = createRecordWaiter();
  let greeted = 0;
  const server: Server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', (request, socket: Duplex) => {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = readFrames(Buffer.concat([pending, chunk]), (opcode, payload) => {
        if (opcode === 0x1) {
          const message: unknown = JSON.parse(payload.toString('utf8'));
          if (typeof message === 'object' && message !== null && !Array.isArray(message)) received.push({ ...message });
          waiter.recorded();
        } else if (opcode === 0x9) {
          socket.write(frame(0xa, payload));
        } else if (opcode === 0x8) {
          socket.end(frame(0x8, Buffer.alloc(0)));
        }
      });
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    socket.write(
      frame(
        0x1,
        Buffer.from(
          JSON.stringify({
            type: 'hello',
            num_connections: 1,
            connection_info: { app_id: 'AAPP' },
            debug_info: { host: 'local', approximate_connection_time: 3600 },
          }),
        ),
      ),
    );
    greeted++;
    waiter.recorded();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `ws://127.0.0.1:${address.port}/link`,
    received,
    send(message) {
      for (const socket of sockets) socket.write(frame(0x1, Buffer.from(JSON.stringify(message))));
    },
    async connected(timeoutMs = 10_000) {
      await waiter.wait(
        () => (greeted > 0 ? [greeted] : []),
        1,
        timeoutMs,
        () => `no Socket Mode connection within ${timeoutMs} ms`,
      );
    },
    async waitFor(where, timeoutMs = 10_000) {
      const [found] = await waiter.wait(
        () => received.filter(where),
        1,
        timeoutMs,
        () => `no matching message within ${timeoutMs} ms; got ${JSON.stringify(received)}`,
      );
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
