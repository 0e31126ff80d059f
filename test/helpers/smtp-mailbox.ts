/** A plain-text SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, for e-mail tests. */
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface Message {
  from: string | undefined;
  to: string[];
  raw: string;
}

export interface Mailbox {
  port: number;
  messages: Message[];
  logins: { username: string | undefined; password: string | null | undefined }[];
  server: SMTPServer;
  close(): Promise<void>;
}

function envelopeOf(session: SMTPServerSession): Pick<Message, 'from' | 'to'> {
  const { mailFrom, rcptTo } = session.envelope;
  return { from: mailFrom === false ? undefined : mailFrom.address, to: rcptTo.map((recipient) => recipient.address) };
}

/** Starts the server; `options` adds or overrides handlers (e.g. `onRcptTo` to refuse a recipient). */
export async function startMailbox(options: SMTPServerOptions = {}): Promise<Mailbox> {
  const messages: Message[] = [];
  const logins: Mailbox['logins'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username, password: auth.password });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({ ...envelopeOf(session), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    messages,
    logins,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
