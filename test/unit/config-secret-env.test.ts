import { describe, expect, it } from 'vitest';
import { readSecretEnv } from '../../src/config/secret-env.ts';

describe('readSecretEnv', () => {
  it('takes the named values from the process environment', () => {
    expect(
      readSecretEnv(
        { secretEnv: ['DATABASE_PASSWORD', 'API_TOKEN'] },
        { DATABASE_PASSWORD: 'hunter2', API_TOKEN: 't0k', OTHER: 'x' },
      ),
    ).toStrictEqual({ ok: true, values: { DATABASE_PASSWORD: 'hunter2', API_TOKEN: 't0k' } });
  });

  it('lists every missing or empty name', () => {
    expect(readSecretEnv({ secretEnv: ['A', 'B', 'C'] }, { B: '', C: 'set' })).toStrictEqual({
      ok: false,
      missing: ['A', 'B'],
    });
  });

  it('succeeds with nothing to read', () => {
    expect(readSecretEnv({ secretEnv: [] }, {})).toStrictEqual({ ok: true, values: {} });
  });

  it('ignores inherited properties of the environment object', () => {
    expect(readSecretEnv({ secretEnv: ['toString'] }, {})).toStrictEqual({ ok: false, missing: ['toString'] });
  });
});
