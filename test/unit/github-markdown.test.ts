import { describe, expect, it } from 'vitest';
import { codeBlock, inlineCode } from '../../src/github/markdown.ts';

describe('markdown quoting', () => {
  it('keeps backticks in quoted text from closing the code', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x')).toBe('`` `x ``');
    expect(codeBlock('```\nrm -rf /\n```')).toBe('````text\n```\nrm -rf /\n```\n````');
  });
});
