/**
 * Markdown for replies that quote what users wrote. Quoted text goes into code spans and fenced blocks, where
 * Markdown, HTML and @mentions are inert; the fences are made longer than any backtick run inside.
 */

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

/** `text` as an inline code span, whatever backticks it holds. */
export function inlineCode(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** `text` as a fenced code block with the given info string (`text` by default). */
export function codeBlock(text: string, info = 'text'): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}
