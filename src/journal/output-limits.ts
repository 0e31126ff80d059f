/** How much of a host's stage output is kept (the dashboard shows it; the rest of a chatty stage is counted). */

/** Output lines kept per host and stage. */
export const OUTPUT_LINES_KEPT = 1_000;
/** Output bytes (UTF-8) kept per host and stage: 1,000 lines of 64 KiB would still be 64 MiB. */
export const OUTPUT_BYTES_KEPT = 1024 * 1024;

/** Whether one more line of `size` bytes fits after `lines` lines and `bytes` bytes of the same host's stage. */
export function fitsOutputLimits(lines: number, bytes: number, size: number): boolean {
  return lines < OUTPUT_LINES_KEPT && bytes + size <= OUTPUT_BYTES_KEPT;
}
