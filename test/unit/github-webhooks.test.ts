import { describe, expect, it } from 'vitest';
import { deepMerge, examplePayload, signDelivery } from '../helpers/github-webhooks.ts';

describe('webhook fixtures', () => {
  it('signs as GitHub documents it', () => {
    // The example of docs.github.com, "Validating webhook deliveries".
    expect(signDelivery('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('copies an example and changes only what the patch names', () => {
    const original = examplePayload('issues', 'labeled');
    const patched = examplePayload('issues', 'labeled', { label: { name: 'work-order' }, issue: { number: 9 } });
    expect(patched.label).toMatchObject({ name: 'work-order', color: 'd73a4a' });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(patched.issue).toMatchObject({ number: 9, title: expect.any(String) });
    expect(original.label).toMatchObject({ name: 'bug' });
    expect(examplePayload('issues', 'labeled')).toEqual(original);
  });

  it('replaces arrays and removes keys patched to undefined', () => {
    expect(deepMerge({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: undefined } })).toEqual({
      a: [3],
      b: { c: 1 },
    });
  });

  it('names what exists when asked for what does not', () => {
    expect(() => examplePayload('issues', 'exploded')).toThrow(/examples have: .*labeled/);
    expect(() => examplePayload('no_such_event')).toThrow(/no webhook examples/);
  });
});
