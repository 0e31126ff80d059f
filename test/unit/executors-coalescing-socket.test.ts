/** CoalescingSocket: what one tick writes leaves together, in order, and nothing is lost when the socket ends. */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CoalescingSocket } from '../../src/executors/coalescing-socket.ts';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** A loopback server that collects everything one client sends until it ends. */
async function listen(): Promise<{ port: number; received: Promise<Buffer> }> {
  let deliver: (bytes: Buffer) => void = () => undefined;
  const received = new Promise<Buffer>((resolve) => {
    deliver = resolve;
  });
  server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      deliver(Buffer.concat(chunks));
      socket.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: (address satisfies AddressInfo).port, received };
}

describe('CoalescingSocket', () => {
  it('delivers many small writes of one tick, writes across ticks and a write just before end, in order', async () => {
    const { port, received } = await listen();
    const socket = new CoalescingSocket();
    socket.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const expected: Buffer[] = [];
    const send = (text: string): void => {
      const bytes = Buffer.from(text);
      expected.push(bytes);
      socket.write(bytes);
    };
    for (let tick = 0; tick < 20; tick++) {
      for (let piece = 0; piece < 4; piece++) send(`${tick}.${piece};`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    send('x'.repeat(256 * 1024));
    send('last');
    socket.end();
    expect((await received).equals(Buffer.concat(expected))).toBe(true);
    await once(socket, 'close');
  });

  it('takes writes made while still connecting and sends them once connected', async () => {
    const { port, received } = await listen();
    const socket = new CoalescingSocket();
    socket.connect({ host: '127.0.0.1', port });
    socket.write('hello ');
    socket.write('world');
    socket.end();
    expect((await received).toString()).toBe('hello world');
  });
});
