/**
 * The ceiling for `bench:webhooks`: the same HTTP server and Probot webhook middleware as Yardmaster's, with an
 * empty `issue_comment.created` handler (signature check and JSON parse only). Settings from the environment like
 * the real server (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_API_URL); prints `{"msg":"listening","port":N}`.
 */
import { pino } from 'pino';
import { createAppProbot } from '../src/server/create-app-probot.ts';
import { startAppServer } from '../src/server/start-app-server.ts';

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const probot = createAppProbot({
  appId: Number(process.env.APP_ID ?? '1'),
  privateKey: process.env.PRIVATE_KEY ?? '',
  webhookSecret: process.env.WEBHOOK_SECRET ?? '',
  githubApiUrl: process.env.GITHUB_API_URL ?? 'http://127.0.0.1:9',
  log,
});
const server = await startAppServer({
  probot,
  app: (app) => {
    app.on('issue_comment.created', () => Promise.resolve());
  },
  port: 0,
  host: '127.0.0.1',
  webhookPath: '/api/github/webhooks',
  log,
});
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.port })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
