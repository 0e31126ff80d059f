import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../src/slack/bolt-logger.ts';

describe("Bolt's log lines", () => {
  it('go to the process log at warn and above, objects shown by type only', () => {
    const lines: string[] = [];
    const logger = boltLogger({
      info: (_fields, message) => lines.push(`info ${message}`),
      warn: (_fields, message) => lines.push(`warn ${message}`),
    });
    logger.debug('hidden');
    logger.info('hidden too');
    logger.warn('signature check failed:', { token: 'xoxb-secret' }, new Error('stale'));
    logger.error('boom');
    logger.setLevel(LogLevel.INFO);
    logger.info('now shown');
    expect(logger.getLevel()).toBe(LogLevel.INFO);
    expect(lines).toEqual(['warn signature check failed: [object] stale', 'warn boom', 'info now shown']);
    expect(lines.join('\n')).not.toContain('xoxb-secret');
  });
});
