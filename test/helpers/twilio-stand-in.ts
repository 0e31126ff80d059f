/**
 * A local stand-in for Twilio's Messages API, checking each request the way Twilio does before it answers like
 * Twilio: the path names the account, HTTP Basic auth with that account's SID and token (401, error 20003), a form
 * body with an E.164 `To` (400, 21211), exactly one of `From` and `MessagingServiceSid` (400, 21603/21604), and a
 * `Body` of at most 1,600 characters (400, 21617). A created message is answered 201 with its SID and recorded.
 * `failNext` answers the next requests with a status first (429 or 503), as Twilio does when busy.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody } from './read-body.ts';
import { listenLoopback } from './tcp-servers.ts';

export interface TwilioMessage {
  account: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  sid: string;
}

export interface TwilioStandIn {
  url: string;
  /** Messages accepted (201), in order. */
  messages: TwilioMessage[];
  /** Every request's answer status, in order. */
  statuses: number[];
  /** The next `count` requests are answered with `status` (and Twilio's error body) before anything is checked. */
  failNext(count: number, status: 429 | 503): void;
  close(): Promise<void>;
}

export function twilioAccountSid(): string {
  return `AC${randomBytes(16).toString('hex')}`;
}

interface Failure {
  status: number;
  code: number;
  message: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** What Twilio would refuse about a request, or undefined when it would send the message. */
function refusal(
  accounts: ReadonlyMap<string, string>,
  account: string,
  authorization: string | undefined,
  contentType: string | undefined,
  form: URLSearchParams,
): Failure | undefined {
  const expected = accounts.get(account);
  const basic =
    expected === undefined ? undefined : `Basic ${Buffer.from(`${account}:${expected}`).toString('base64')}`;
  if (basic === undefined || authorization !== basic) {
    return { status: 401, code: 20003, message: 'Authenticate' };
  }
  if (contentType?.split(';')[0]?.trim() !== 'application/x-www-form-urlencoded') {
    return { status: 400, code: 20001, message: 'Expected a form body' };
  }
  const to = form.get('To') ?? '';
  if (!E164.test(to))
    return { status: 400, code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
  const senders = [form.get('From'), form.get('MessagingServiceSid')].filter((value) => value !== null);
  if (senders.length === 0) return { status: 400, code: 21603, message: "The 'From' phone number is required." };
  if (senders.length > 1) return { status: 400, code: 21604, message: 'Only one of From and MessagingServiceSid.' };
  const body = form.get('Body') ?? '';
  if (body === '') return { status: 400, code: 21602, message: 'Message body is required.' };
  if (body.length > 1_600)
    return { status: 400, code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' };
  return undefined;
}

/** Starts the stand-in on 127.0.0.1; `accounts` maps account SIDs to their auth tokens. */
export async function startTwilioStandIn(accounts: ReadonlyMap<string, string>): Promise<TwilioStandIn> {
  const messages: TwilioMessage[] = [];
  const statuses: number[] = [];
  const failures: number[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const answer = (status: number, document: object): void => {
        statuses.push(status);
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      };
      const failing = failures.shift();
      if (failing !== undefined) {
        answer(failing, { code: failing === 429 ? 20429 : 20500, message: 'Too many requests', status: failing });
        return;
      }
      const path = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(request.url ?? '');
      if (request.method !== 'POST' || path?.[1] === undefined) {
        answer(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        return;
      }
      const account = path[1];
      const form = new URLSearchParams(text);
      const refused = refusal(accounts, account, request.headers.authorization, request.headers['content-type'], form);
      if (refused !== undefined) {
        answer(refused.status, { code: refused.code, message: refused.message, status: refused.status });
        return;
      }
      const message: TwilioMessage = {
        account,
        to: form.get('To') ?? '',
        body: form.get('Body') ?? '',
        sid: `SM${randomBytes(16).toString('hex')}`,
      };
      const from = form.get('From');
      if (from !== null) message.from = from;
      const service = form.get('MessagingServiceSid');
      if (service !== null) message.messagingServiceSid = service;
      messages.push(message);
      answer(201, {
        sid: message.sid,
        account_sid: account,
        to: message.to,
        from,
        body: message.body,
        status: 'queued',
      });
    });
  });
  const listening = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${listening.port}`,
    messages,
    statuses,
    failNext(count, status) {
      for (let index = 0; index < count; index++) failures.push(status);
    },
    close: () => listening.close(),
  };
}
