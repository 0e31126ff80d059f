/**
 * One text message through Twilio's Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, a form body
 * with `To`, `From` or `MessagingServiceSid`, and `Body`; HTTP Basic auth with the account SID and auth token).
 * Retrying is the queue's job: a network error, a timeout, 429 and 5xx are thrown. Other 4xx answers (a wrong number,
 * bad credentials) would fail the same way again, so they come back as `refused` for the caller to log and drop.
 * Messages never hold the token; Twilio's own error code and message are passed on, since they say what to fix.
 */
import { z } from 'zod';

/** Twilio's production API; `TWILIO_API_URL` points it elsewhere (a regional edge, or a local stand-in in tests). */
export const TWILIO_API_URL = 'https://api.twilio.com';

/** Twilio's longest message body; longer ones are cut with an ellipsis (Twilio would refuse them). */
export const SMS_MAX_CHARS = 1_600;

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

export interface SmsMessage {
  to: string;
  from: string;
  body: string;
}

export interface TwilioAccount {
  /** Where the API is; no trailing path. */
  apiUrl: string;
  accountSid: string;
  authToken: string;
}

export interface SmsOptions {
  /** How long the whole attempt may take; 10 s unless given. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type SmsResult = { ok: true; sid: string } | { ok: false; refused: string };

const DEFAULT_TIMEOUT_MS = 10_000;

const createdSchema = z.object({ sid: z.string().min(1).max(64) });
const errorSchema = z.object({ code: z.number().optional(), message: z.string().max(500).optional() });

/** The body cut to what Twilio takes, counted in UTF-16 code units as Twilio counts them. */
function fitBody(body: string): string {
  return body.length <= SMS_MAX_CHARS ? body : `${body.slice(0, SMS_MAX_CHARS - 1)}…`;
}

function messagesUrl(account: TwilioAccount): URL {
  let base: URL;
  try {
    base = new URL(account.apiUrl);
  } catch {
    throw new Error('TWILIO_API_URL is not a valid URL');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error('TWILIO_API_URL must be http(s)');
  return new URL(`/2010-04-01/Accounts/${account.accountSid}/Messages.json`, base);
}

/** Twilio's `{ code, message }` error document as one phrase, or the status alone. */
async function twilioProblem(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let parsed: z.infer<typeof errorSchema> = {};
  try {
    const result = errorSchema.safeParse(JSON.parse(text));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON: the status says enough
  }
  const code = parsed.code === undefined ? '' : ` (Twilio error ${parsed.code})`;
  const message = parsed.message === undefined ? '' : `: ${parsed.message.replace(/\s+/g, ' ')}`;
  return `HTTP ${response.status}${code}${message}`;
}

/** Sends `message` once. Resolves with the message SID, or with `refused` for an answer that a retry would not change. */
export async function sendSms(
  account: TwilioAccount,
  message: SmsMessage,
  options: SmsOptions = {},
): Promise<SmsResult> {
  if (!ACCOUNT_SID.test(account.accountSid)) {
    return { ok: false, refused: 'the Twilio account SID is not AC followed by 32 hex digits' };
  }
  if (account.authToken === '') return { ok: false, refused: 'the Twilio auth token is empty' };
  const url = messagesUrl(account);
  const form = new URLSearchParams({ To: message.to, Body: fitBody(message.body) });
  form.set(message.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', message.from);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = `text message to ${message.to} through ${url.origin}`;
  const send = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await send(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': 'Yardmaster',
      },
      body: form.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError')
      throw new Error(`${what} timed out after ${timeoutMs} ms`);
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status === 429 || response.status >= 500) {
    throw new Error(`${what} was answered with ${await twilioProblem(response)}`);
  }
  if (!response.ok) return { ok: false, refused: `${what} was refused with ${await twilioProblem(response)}` };
  const created = createdSchema.safeParse(await response.json().catch(() => null));
  if (!created.success) throw new Error(`${what} was answered ${response.status} without a message SID`);
  return { ok: true, sid: created.data.sid };
}
