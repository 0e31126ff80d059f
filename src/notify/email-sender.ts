/**
 * One delivery attempt of a key event by e-mail through an SMTP server. Retrying is the queue's job, so a refusal
 * or an unreachable server is thrown, never logged here. The SMTP URL carries the password, so no message this
 * module produces repeats the URL or its credentials.
 */
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { propertyOf } from '../lib/trust-boundaries.ts';
import { eventSubject, eventText } from './event-text.ts';
import type { KeyEvent } from './types.ts';

export interface EmailSenderOptions {
  /** `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start), with `user:pass@` when the server wants it. */
  smtpUrl: string;
  /** The From address, e.g. `yardmaster@example.com` or `"Yardmaster" <yardmaster@example.com>`. */
  from: string;
}

/** One message: `id` (an audit row id) names it, so a retried message is recognisable as the same one. */
export interface EmailMessage {
  id: number;
  kind: string;
  subject: string;
  text: string;
  /** Tells apart two messages of one audit row (a call to a named person: its role); part of the Message-ID. */
  variant?: string;
}

export interface EmailSender {
  /** Sends one message about `event` to all of `to`; resolves once the server took it for every recipient. */
  send(to: readonly string[], event: KeyEvent): Promise<void>;
  /** The same for a message worded by the caller (notices that are not about a work order). */
  sendMessage(to: readonly string[], message: EmailMessage): Promise<void>;
  /** Closes the transport (open connections); the sender is unusable afterwards. */
  close(): void;
}

/** A refused or failed SMTP delivery, with what a retry decision needs. */
export class EmailDeliveryError extends Error {
  /** Nodemailer's error code, e.g. `EENVELOPE`, `ECONNECTION`, `EAUTH`. */
  readonly code: string | undefined;
  /** The SMTP reply code when the server answered, e.g. 550. */
  readonly responseCode: number | undefined;
  /** True for a 5xx reply (retrying the same message will not help), false for 4xx, undefined without a reply. */
  readonly permanent: boolean | undefined;
  /** Recipients the server refused; on a partial refusal the others already got the message. */
  readonly rejected: readonly string[];

  constructor(
    message: string,
    details: {
      code?: string | undefined;
      responseCode?: number | undefined;
      permanent?: boolean | undefined;
      rejected?: readonly string[];
    },
  ) {
    super(message);
    this.name = 'EmailDeliveryError';
    this.code = details.code;
    this.responseCode = details.responseCode;
    this.permanent = details.permanent;
    this.rejected = details.rejected ?? [];
  }
}

/**
 * Short timeouts instead of nodemailer's minutes-long defaults: a worker slot should not hang on a dead server when
 * the queue will retry anyway. Settings in the URL's query (`?socketTimeout=...`) still take precedence.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/** The URL as nodemailer gets it, refused unless smtp(s); query switches that would log traffic are dropped. */
function transportUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The text may hold a password; say what is wrong without it.
    throw new Error('SMTP URL is not a valid URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  if (url.hostname === '') throw new Error('SMTP URL has no host');
  url.searchParams.delete('logger');
  url.searchParams.delete('debug');
  return url.href;
}

/** Reads the fields nodemailer puts on its errors without trusting their types. */
function field(error: object, name: string): unknown {
  return propertyOf(error, name);
}

/** Every spelling of the URL's credentials that could turn up in a server reply or error text. */
function secretsOf(smtpUrl: string): string[] {
  const url = new URL(smtpUrl);
  const raw = [url.password, url.username];
  const decoded = raw.map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  // Long ones first, so a user name inside the password does not leave a tail of it behind.
  return [...new Set([...raw, ...decoded])].filter((part) => part.length >= 3).sort((a, b) => b.length - a.length);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

function deliveryError(error: unknown, what: string, secrets: readonly string[]): EmailDeliveryError {
  if (!(error instanceof Error)) return new EmailDeliveryError(redact(`${what} failed: ${String(error)}`, secrets), {});
  const code = field(error, 'code');
  const responseCode = field(error, 'responseCode');
  const permanent = field(error, 'permanent');
  const rejected = field(error, 'rejected');
  return new EmailDeliveryError(redact(`${what} failed: ${error.message}`, secrets), {
    code: typeof code === 'string' ? code : undefined,
    responseCode: typeof responseCode === 'number' ? responseCode : undefined,
    permanent: typeof permanent === 'boolean' ? permanent : undefined,
    rejected: Array.isArray(rejected) ? rejected.filter((item): item is string => typeof item === 'string') : [],
  });
}

/**
 * A sender of key-event e-mails through the SMTP server at `smtpUrl`. Throws at once when the URL is not smtp:// or
 * smtps://. Recipients go in the envelope only (the To header says "undisclosed-recipients"), so subscribers do
 * not learn each other's addresses; the Message-ID is derived from the event id, so a retried message is
 * recognisable as the same one.
 */
export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const url = transportUrl(options.smtpUrl);
  const secrets = secretsOf(url);
  // nodemailer is imported with the first message: a process that sends none never loads it.
  let transport: Promise<Transporter<SMTPTransport.SentMessageInfo>> | undefined;
  const transporter = (): Promise<Transporter<SMTPTransport.SentMessageInfo>> => {
    transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({ ...TIMEOUTS, url, logger: false, debug: false }),
    );
    return transport;
  };
  const domain = /@([^\s@<>]+)>?\s*$/.exec(options.from)?.[1] ?? 'yardmaster.invalid';

  const sender: EmailSender = {
    send: (to, event) =>
      sender.sendMessage(to, { id: event.id, kind: event.kind, subject: eventSubject(event), text: eventText(event) }),
    async sendMessage(to, message) {
      // Nobody subscribed is nothing to do, not a failure to retry.
      if (to.length === 0) return;
      const what = `e-mail for event ${message.id} (${message.kind}) to ${to.length} recipient(s)`;
      let rejected: string[];
      try {
        const info = await (await transporter()).sendMail({
          from: options.from,
          to: 'undisclosed-recipients:;',
          envelope: { from: options.from, to: [...to] },
          subject: message.subject,
          text: message.text,
          messageId: `<yardmaster-event-${message.id}${message.variant === undefined ? '' : `-${message.variant}`}@${domain}>`,
          headers: { 'auto-submitted': 'auto-generated' },
        });
        rejected = info.rejected.map(String);
      } catch (error) {
        throw deliveryError(error, what, secrets);
      }
      // Nodemailer resolves when at least one recipient was taken; the rest must not go missing silently.
      if (rejected.length > 0) {
        throw new EmailDeliveryError(`${what}: the server refused ${rejected.length} recipient(s)`, {
          code: 'EENVELOPE',
          rejected,
        });
      }
    },
    close() {
      void transport?.then((opened) => {
        opened.close();
      });
    },
  };
  return sender;
}
