import { describe, expect, it } from 'vitest';
import { githubWebUrl, issueUrl } from '../../src/lib/github-web-url.ts';

describe('GitHub web links', () => {
  it('turns API roots into web roots', () => {
    expect(githubWebUrl('https://api.github.com')).toBe('https://github.com');
    expect(githubWebUrl('https://github.example.com/api/v3')).toBe('https://github.example.com');
    expect(githubWebUrl('https://github.example.com/api/v3/')).toBe('https://github.example.com');
    expect(issueUrl('https://github.com', 'Codertocat/Hello-World', 12)).toBe(
      'https://github.com/Codertocat/Hello-World/issues/12',
    );
  });
});
