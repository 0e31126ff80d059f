import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../src/db/default-data-dir.ts';

describe('defaultDataDir', () => {
  it('lives under XDG_DATA_HOME when it is set to an absolute path', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/srv/data' }, '/home/ym')).toBe('/srv/data/yardmaster/pglite');
  });

  it('falls back to ~/.local/share, also when XDG_DATA_HOME is empty or relative (the XDG spec says to ignore it)', () => {
    for (const env of [{}, { XDG_DATA_HOME: '' }, { XDG_DATA_HOME: 'data' }]) {
      expect(defaultDataDir(env, '/home/ym')).toBe('/home/ym/.local/share/yardmaster/pglite');
    }
  });
});
