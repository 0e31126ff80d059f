/** How a key event reads: e-mail subject and text, webhook JSON, for a complete event and one without a release. */
import { describe, expect, it } from 'vitest';
import { callLine, callSubject, callText, eventJson, eventSubject, eventText } from '../../src/notify/event-text.ts';
import type { KeyEvent } from '../../src/notify/types.ts';
import { keyEvent } from '../helpers/key-events.ts';

const full: KeyEvent = keyEvent();

const bare: KeyEvent = {
  ...full,
  id: 4712,
  kind: 'rolled_back',
  app: null,
  environment: null,
  version: null,
  actor: 'octocat',
  reason: 'Error rate above 5 %\nafter batch 2',
};

describe('eventSubject', () => {
  it('names the release, the outcome and the issue', () => {
    expect(eventSubject(full)).toBe('[Yardmaster] shop 1.2.0 to production: succeeded (Codertocat/Hello-World#12)');
  });

  it('falls back to the work order when app, environment and version are unknown', () => {
    expect(eventSubject(bare)).toBe('[Yardmaster] work order 7: rolled back (Codertocat/Hello-World#12)');
  });

  it('leaves out only the missing parts and keeps to one line', () => {
    const partial: KeyEvent = { ...full, kind: 'submitted', version: null, app: 'shop\r\nBcc: x@example.com' };
    expect(eventSubject(partial)).toBe(
      '[Yardmaster] shop Bcc: x@example.com to production: submitted (Codertocat/Hello-World#12)',
    );
  });
});

describe('eventText', () => {
  it('says what happened, who, when and where to look', () => {
    expect(eventText(full)).toBe(
      [
        'Work order 7 (shop 1.2.0 to production) succeeded.',
        'Order: Release shop 1.2.0 (Codertocat/Hello-World#12)',
        'By: yardmaster',
        'At: 2026-03-04T05:06:07.000Z',
        'Link: https://yardmaster.example.com/orders/7',
        '',
      ].join('\n'),
    );
  });

  it('adds the reason when there is one', () => {
    expect(eventText(bare)).toBe(
      [
        'Work order 7 was rolled back.',
        'Order: Release shop 1.2.0 (Codertocat/Hello-World#12)',
        'By: octocat',
        'Reason: Error rate above 5 %\nafter batch 2',
        'At: 2026-03-04T05:06:07.000Z',
        'Link: https://yardmaster.example.com/orders/7',
        '',
      ].join('\n'),
    );
  });
});

describe('eventJson', () => {
  it('is the webhook body of a complete event', () => {
    expect(eventJson(full)).toEqual({
      id: 4711,
      event: 'succeeded',
      work_order: {
        id: 7,
        repo: 'Codertocat/Hello-World',
        number: 12,
        title: 'Release shop 1.2.0',
        url: 'https://yardmaster.example.com/orders/7',
      },
      app: 'shop',
      environment: 'production',
      version: '1.2.0',
      actor: 'yardmaster',
      reason: null,
      at: '2026-03-04T05:06:07.000Z',
    });
  });

  it('keeps unknown parts as null and survives a JSON round trip', () => {
    const body: unknown = JSON.parse(JSON.stringify(eventJson(bare)));
    expect(body).toEqual({
      id: 4712,
      event: 'rolled_back',
      work_order: {
        id: 7,
        repo: 'Codertocat/Hello-World',
        number: 12,
        title: 'Release shop 1.2.0',
        url: 'https://yardmaster.example.com/orders/7',
      },
      app: null,
      environment: null,
      version: null,
      actor: 'octocat',
      reason: 'Error rate above 5 %\nafter batch 2',
      at: '2026-03-04T05:06:07.000Z',
    });
  });
});

describe('calls to named people', () => {
  it('say whose turn it is and what to do, then the event as every subscriber reads it', () => {
    const call = { login: 'pam', role: 'acceptor' } as const;
    expect(callLine(full, call)).toBe(
      '@pam, as the result acceptor of Codertocat/Hello-World#12: please check the result and accept it with /accept.',
    );
    expect(callSubject(full, call)).toBe(
      '[Yardmaster] Your turn as result acceptor: shop 1.2.0 to production succeeded (Codertocat/Hello-World#12)',
    );
    expect(callText(full, call)).toBe(`${callLine(full, call)}\n\n${eventText(full)}`);
    const opened = { ...bare, kind: 'requested' as const };
    expect(callSubject(opened, { login: 'carol', role: 'plan_author' })).toBe(
      '[Yardmaster] Your turn as plan author: work order 7 requested (Codertocat/Hello-World#12)',
    );
    expect(callLine(opened, { login: 'dave', role: 'deployer' })).toBe(
      '@dave, as the deployer of Codertocat/Hello-World#12: the release is yours to start or stop (/deploy, /abort).',
    );
  });
});
