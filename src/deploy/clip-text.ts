/** Shortening text for places with a size limit (failure messages, comments, check runs) without breaking a character. */

/** Appended to text that {@link clipText} shortened. */
export const CLIPPED_MARKER = '…[cut]';

/** The index at or before `index` that does not fall between the two halves of a surrogate pair. */
export function codePointBoundary(text: string, index: number): number {
  if (index <= 0 || index >= text.length) return Math.max(0, Math.min(index, text.length));
  const before = text.charCodeAt(index - 1);
  return before >= 0xd800 && before <= 0xdbff ? index - 1 : index;
}

/** `text` if it has at most `maxChars` UTF-16 units, else its start and {@link CLIPPED_MARKER}, `maxChars` in all. */
export function clipText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, codePointBoundary(text, Math.max(0, maxChars - CLIPPED_MARKER.length)))}${CLIPPED_MARKER}`;
}
