/**
 * E-mail deliveries against a real SMTP server (smtp-server) on 127.0.0.1, plain text without STARTTLS: the
 * message and its envelope, a refused recipient, credentials from the URL, and URLs that are not SMTP.
 */
import type { SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmailSender, EmailDeliveryError, type EmailSender } from '../../src/notify/email-sender.ts';
import type { KeyEvent } from '../../src/notify/types.ts';
import { keyEvent } from '../helpers/key-events.ts';
import { startMailbox, type Mailbox } from '../helpers/smtp-mailbox.ts';

const event: KeyEvent = keyEvent({
  id: 5150,
  kind: 'approved',
  workOrderId: 21,
  actor: 'octocat',
  at: new Date('2026-06-07T08:09:10.000Z'),
  url: 'https://yardmaster.example.com/orders/21',
});

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A mailbox closed after the test. */
async function openMailbox(options: SMTPServerOptions = {}): Promise<Mailbox> {
  const mailbox = await startMailbox(options);
  cleanups.push(() => mailbox.close());
  return mailbox;
}

function sender(smtpUrl: string): EmailSender {
  const created = createEmailSender({ smtpUrl, from: 'yardmaster@example.com' });
  cleanups.push(() => {
    created.close();
  });
  return created;
}

/** The rejection of a send that must fail. */
async function failure(promise: Promise<void>): Promise<Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error(`expected the send to fail with an Error, got ${String(error)}`);
  return error;
}

describe('createEmailSender', () => {
  it('delivers one message to every recipient in the envelope, with subject and link', async () => {
    const mailbox = await openMailbox();

    await sender(`smtp://127.0.0.1:${mailbox.port}`).send(['alice@example.com', 'bob@example.org'], event);

    expect(mailbox.messages).toHaveLength(1);
    const [message] = mailbox.messages;
    expect(message?.from).toBe('yardmaster@example.com');
    expect(message?.to).toEqual(['alice@example.com', 'bob@example.org']);
    // Unfold the headers: nodemailer wraps lines longer than 78 characters (RFC 5322).
    const raw = (message?.raw ?? '').replace(/\r\n[ \t]+/g, ' ');
    expect(raw).toContain('Subject: [Yardmaster] shop 1.2.0 to production: approved (Codertocat/Hello-World#12)');
    expect(raw).toContain('https://yardmaster.example.com/orders/21');
    expect(raw).toContain('Work order 21 (shop 1.2.0 to production) was approved.');
    expect(raw).toContain('Message-ID: <yardmaster-event-5150@example.com>');
    expect(raw).toMatch(/^Auto-Submitted: auto-generated\r$/im);
    expect(raw).toMatch(/^To: "undisclosed-recipients":;\r$/m);
    // Subscribers do not see each other's addresses.
    expect(raw).not.toContain('alice@example.com');
    expect(raw).not.toContain('bob@example.org');
    expect(mailbox.logins).toEqual([]);
  });

  it('rejects when the server refuses the recipient', async () => {
    const mailbox = await openMailbox({
      onRcptTo(address, _session, callback) {
        callback(new Error(`No mailbox for ${address.address}`));
      },
    });

    const error = await failure(sender(`smtp://127.0.0.1:${mailbox.port}`).send(['nobody@example.com'], event));

    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error.message).toContain('No mailbox for nobody@example.com');
    expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 550, permanent: true });
    expect(mailbox.messages).toEqual([]);
  });

  it('rejects when only some recipients are refused, naming them', async () => {
    const mailbox = await openMailbox({
      onRcptTo(address, _session, callback) {
        callback(address.address === 'gone@example.com' ? new Error('Gone') : null);
      },
    });

    const error = await failure(
      sender(`smtp://127.0.0.1:${mailbox.port}`).send(['alice@example.com', 'gone@example.com'], event),
    );

    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error).toMatchObject({ rejected: ['gone@example.com'] });
    expect(mailbox.messages.map((message) => message.to)).toEqual([['alice@example.com']]);
  });

  it('logs in with the credentials of the URL, percent-decoded, and keeps the password out of errors', async () => {
    const password = 'p@ss:w/rd-9x';
    const mailbox = await openMailbox({ allowInsecureAuth: true });
    const url = `smtp://mailer%40example.com:${encodeURIComponent(password)}@127.0.0.1:${mailbox.port}`;

    await sender(url).send(['alice@example.com'], event);

    expect(mailbox.logins).toEqual([{ username: 'mailer@example.com', password }]);
    expect(mailbox.messages.map((message) => message.to)).toEqual([['alice@example.com']]);

    const refusing = await openMailbox({
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(new Error(`Bad password ${password}`));
      },
    });
    const error = await failure(
      sender(`smtp://mailer:${encodeURIComponent(password)}@127.0.0.1:${refusing.port}`).send(
        ['alice@example.com'],
        event,
      ),
    );
    expect(error).toMatchObject({ code: 'EAUTH' });
    expect(error.message).toContain('Bad password');
    expect(error.message).not.toContain(password);
  });

  it('stays silent when the URL asks nodemailer to log', async () => {
    const mailbox = await openMailbox();
    const log = vi.spyOn(console, 'log');
    cleanups.push(() => {
      log.mockRestore();
    });

    await sender(`smtp://127.0.0.1:${mailbox.port}?logger=true&debug=true`).send(['alice@example.com'], event);

    expect(mailbox.messages).toHaveLength(1);
    expect(log).not.toHaveBeenCalled();
  });

  it('sends nothing for an empty recipient list', async () => {
    const mailbox = await openMailbox();

    await sender(`smtp://127.0.0.1:${mailbox.port}`).send([], event);

    expect(mailbox.messages).toEqual([]);
  });

  it('refuses URLs that are not smtp or smtps without repeating their password', () => {
    expect(() =>
      createEmailSender({ smtpUrl: 'https://user:hunter2secret@mail.example.com', from: 'y@example.com' }),
    ).toThrow(/must start with smtp:\/\/ or smtps:\/\/, not https:\/\/$/);
    expect(() => createEmailSender({ smtpUrl: 'mail.example.com:25', from: 'y@example.com' })).toThrow(
      /smtp:\/\/ or smtps:\/\//,
    );
    expect(() => createEmailSender({ smtpUrl: 'smtp//user:hunter2secret@mail', from: 'y@example.com' })).toThrow(
      /^SMTP URL is not a valid URL$/,
    );
  });
});
