/**
 * A local stand-in for slack.com/api: records every Web API call (method, token, parsed arguments) and answers like
 * Slack (`ok: true`, a fresh `ts` for posted messages). Bolt's client is pointed here with `slackApiUrl`.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { readBody } from './read-body.ts';
import { createRecordWaiter } from './record-waiter.ts';

export interface SlackCall {
  method: string;
  authorization: string | undefined;
  args: Record<string, unknown>;
  /** What the recorder answered (a posted message's `ts` is here). */
  answer: Record<string, unknown>;
}

export interface SlackApiRecorder {
  /** `http://127.0.0.1:<port>/api/` */
  url: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Answers `method` with what `answer` returns (instead of a plain `ok: true`). */
  answer(method: string, answer: (args: Record<string, unknown>) => Record<string, unknown>): void;
  /** Waits for `count` calls to `method` that `where` accepts (bounded). */
  waitFor(
    method: string,
    options?: { count?: number; where?: (call: SlackCall) => boolean; timeoutMs?: number },
  ): Promise<SlackCall[]>;
  close(): Promise<void>;
}

/** Form fields whose values are JSON (blocks, view) come back parsed, as Slack reads them. */
function parseArgs(contentType: string, text: string): Record<string, unknown> {
  if (contentType.includes('application/json')) {
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : {};
  }
  const args: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (/^[[{]/.test(value)) {
      try {
        args[name] = JSON.parse(value);
        continue;
      } catch {
        // a plain string that starts with a bracket
      }
    }
    args[name] = value;
  }
  return args;
}

export async function startSlackApiRecorder(): Promise<SlackApiRecorder> {
  const calls: SlackCall[] = [];
  const waiter = createRecordWaiter();
  const answers = new Map<string, (args: Record<string, unknown>) => Record<string, unknown>>();
  const sockets = new Set<Socket>();
  let ts = 1_700_000_000;
  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const method = new URL(request.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/api\//, '');
      const args = parseArgs(request.headers['content-type'] ?? '', text);
      let answer: Record<string, unknown> = { ok: true };
      if (method === 'auth.test')
        answer = { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'TTEAM', user: 'yardmaster' };
      if (method === 'chat.postMessage') answer = { ok: true, channel: args.channel, ts: `${ts++}.000100` };
      if (method === 'chat.update') answer = { ok: true, channel: args.channel, ts: args.ts };
      const custom = answers.get(method);
      if (custom !== undefined) answer = custom(args);
      calls.push({ method, authorization: request.headers.authorization, args, answer });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      waiter.recorded();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const callsTo = (method: string): SlackCall[] => calls.filter((call) => call.method === method);
  return {
    url: `http://127.0.0.1:${address.port}/api/`,
    calls,
    callsTo,
    answer(method, answer) {
      answers.set(method, answer);
    },
    waitFor(method, { count = 1, where = () => true, timeoutMs = 10_000 } = {}) {
      return waiter.wait(
        () => callsTo(method).filter(where),
        count,
        timeoutMs,
        () =>
          `waited ${timeoutMs} ms for ${count} × ${method}; calls: ${calls.map((call) => call.method).join(', ') || '(none)'}`,
      );
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
