/**
 * How a key event reads in a notification: the e-mail subject and plain-text body, and the JSON body of a webhook.
 * Every channel words an event the same way, so people recognise it wherever it reaches them.
 */
import type { KeyEvent, KeyEventKind, PersonCall } from './types.ts';

/** The webhook body: snake_case like GitHub's payloads, since receivers are often the same scripts. */
export interface KeyEventJson {
  id: number;
  event: KeyEventKind;
  work_order: { id: number; repo: string; number: number; title: string; url: string };
  app: string | null;
  environment: string | null;
  version: string | null;
  actor: string;
  reason: string | null;
  at: string;
}

/** The kind as a word in a sentence ("rolled_back" would read like an identifier). */
const KIND_LABELS: Record<KeyEventKind, string> = {
  requested: 'requested',
  submitted: 'submitted',
  approved: 'approved',
  rejected: 'rejected',
  scheduled: 'scheduled',
  started: 'started',
  failed: 'failed',
  rolled_back: 'rolled back',
  succeeded: 'succeeded',
  accepted: 'accepted',
};

/** The verb phrase of "Work order 7 ...": the order is acted on for some kinds and acts itself for others. */
const KIND_SENTENCES: Record<KeyEventKind, string> = {
  requested: 'was opened',
  submitted: 'was submitted',
  approved: 'was approved',
  rejected: 'was rejected',
  scheduled: 'was scheduled',
  started: 'started',
  failed: 'failed',
  rolled_back: 'was rolled back',
  succeeded: 'succeeded',
  accepted: 'was accepted',
};

/** Titles and names come from people; a line break in them must not break a header or a line of the text. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** "shop 1.2.0 to production", leaving out what the order does not say yet; null when it says none of it. */
function release(event: KeyEvent): string | null {
  const parts: string[] = [];
  if (event.app !== null) parts.push(oneLine(event.app));
  if (event.version !== null) parts.push(oneLine(event.version));
  if (event.environment !== null) parts.push(`to ${oneLine(event.environment)}`);
  return parts.length > 0 ? parts.join(' ') : null;
}

function reference(event: KeyEvent): string {
  return `${event.repoFullName}#${event.number}`;
}

/**
 * The e-mail subject of an event, e.g. `[Yardmaster] shop 1.2.0 to production: succeeded (Codertocat/Hello-World#12)`.
 * Parts the order does not have (no app, environment or version yet) are left out; always a single line.
 */
export function eventSubject(event: KeyEvent): string {
  return `[Yardmaster] ${release(event) ?? `work order ${event.workOrderId}`}: ${KIND_LABELS[event.kind]} (${reference(event)})`;
}

/** The plain-text body of an event: what happened, who did it, why (when there is a reason), when, and the link. */
export function eventText(event: KeyEvent): string {
  const what = release(event);
  const lines = [
    `Work order ${event.workOrderId}${what === null ? '' : ` (${what})`} ${KIND_SENTENCES[event.kind]}.`,
    `Order: ${oneLine(event.title)} (${reference(event)})`,
    `By: ${event.actor}`,
  ];
  // A reason may span lines (a rejection comment); it stays as written, after the label.
  if (event.reason !== null && event.reason.trim() !== '') lines.push(`Reason: ${event.reason.trim()}`);
  lines.push(`At: ${event.at.toISOString()}`, `Link: ${event.url}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON body a webhook receives for an event (before `JSON.stringify`). */
export function eventJson(event: KeyEvent): KeyEventJson {
  return {
    id: event.id,
    event: event.kind,
    work_order: {
      id: event.workOrderId,
      repo: event.repoFullName,
      number: event.number,
      title: event.title,
      url: event.url,
    },
    app: event.app,
    environment: event.environment,
    version: event.version,
    actor: event.actor,
    reason: event.reason,
    at: event.at.toISOString(),
  };
}

/** What the named person is called to do at their step. */
const CALL_SENTENCES: Record<PersonCall['role'], string> = {
  plan_author: 'please post the deployment plan',
  deployer: 'the release is yours to start or stop (/deploy, /abort)',
  acceptor: 'please check the result and accept it with /accept',
};

const ROLE_NOUNS: Record<PersonCall['role'], string> = {
  plan_author: 'plan author',
  deployer: 'deployer',
  acceptor: 'result acceptor',
};

/** The one line that calls a named person to their step, e.g. "@pam, as the result acceptor: please ... ". */
export function callLine(event: KeyEvent, call: PersonCall): string {
  return `@${call.login}, as the ${ROLE_NOUNS[call.role]} of ${reference(event)}: ${CALL_SENTENCES[call.role]}.`;
}

/** The e-mail subject of a call: the event's subject with "your turn" in front. */
export function callSubject(event: KeyEvent, call: PersonCall): string {
  return `[Yardmaster] Your turn as ${ROLE_NOUNS[call.role]}: ${release(event) ?? `work order ${event.workOrderId}`} ${KIND_LABELS[event.kind]} (${reference(event)})`;
}

/** The plain-text body of a call: the line that calls them, then the event as every subscriber reads it. */
export function callText(event: KeyEvent, call: PersonCall): string {
  return `${callLine(event, call)}\n\n${eventText(event)}`;
}
