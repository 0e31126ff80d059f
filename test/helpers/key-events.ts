/** A key event for notification tests: a released shop 1.2.0 on production, with the fields a test names changed. */
import type { KeyEvent } from '../../src/notify/types.ts';

export function keyEvent(overrides: Partial<KeyEvent> = {}): KeyEvent {
  return {
    id: 4711,
    kind: 'succeeded',
    workOrderId: 7,
    repoFullName: 'Codertocat/Hello-World',
    number: 12,
    title: 'Release shop 1.2.0',
    app: 'shop',
    environment: 'production',
    version: '1.2.0',
    actor: 'yardmaster',
    reason: null,
    at: new Date('2026-03-04T05:06:07.000Z'),
    url: 'https://yardmaster.example.com/orders/7',
    ...overrides,
  };
}
