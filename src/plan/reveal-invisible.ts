/**
 * Text of a plan shown to approvers with its invisible characters made visible: control characters other than tab and
 * newline, format characters (zero-width spaces and joiners, bidirectional overrides and isolates that reorder what
 * a reader sees, "Trojan Source"), and blank-looking fillers. Each becomes `⟨U+XXXX⟩`, so a command cannot look like
 * something other than what the shell runs.
 */

const INVISIBLE = /[\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0]/gu;

function codePoint(char: string): string {
  return `⟨U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** `text` with every invisible character but tab and newline shown as `⟨U+XXXX⟩`; `revealed` says whether any was. */
export function revealInvisible(text: string): { text: string; revealed: boolean } {
  let revealed = false;
  const shown = text.replace(INVISIBLE, (char) => {
    if (char === '\t' || char === '\n') return char;
    revealed = true;
    return codePoint(char);
  });
  return { text: shown, revealed };
}
