/** Free-text arguments of comment commands (reasons, comments): always the rest of the command line. */

/** Longest text kept; an audit row is not the place for an essay. */
export const MAX_TEXT_LENGTH = 500;

// Phones and Slack turn "…" into “…”, so typographic quotes count as quotes; a straight " may close either.
const CLOSING_QUOTES: Readonly<Record<string, readonly string[]>> = {
  '"': ['"'],
  "'": ["'"],
  '“': ['”', '"'],
  '‘': ['’', "'"],
  '«': ['»'],
};
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** A text argument, or what is wrong with it. */
export type TextArgument = { ok: true; text: string } | { ok: false; message: string };

/**
 * Reads the text argument that makes up all of `input`. One pair of quotes around the whole text is dropped
 * (`"too risky"` and `too risky` are the same reason); quotes anywhere else are part of the text, so
 * `"v2" is broken` stays as written. The result is trimmed and may be empty, for the caller to judge.
 */
export function readTextArgument(input: string): TextArgument {
  let text = input.trim();
  const closing = CLOSING_QUOTES[text.charAt(0)];
  if (closing !== undefined && text.length >= 2 && closing.includes(text.charAt(text.length - 1))) {
    text = text.slice(1, -1).trim();
  }
  text = text.replaceAll('\t', ' ');
  if (CONTROL_CHARACTERS.test(text)) return { ok: false, message: 'the text must not contain control characters' };
  if (text.length > MAX_TEXT_LENGTH) {
    return { ok: false, message: `the text is ${text.length} characters long; at most ${MAX_TEXT_LENGTH} are kept` };
  }
  return { ok: true, text };
}
