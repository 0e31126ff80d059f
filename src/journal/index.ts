/** Release journals: what a CLI release writes as it runs, for the database to import (see README.md). */
export {
  journalBeginSchema,
  type JournalBegin,
  type JournalEnd,
  type JournalLine,
  journalLineSchema,
} from './journal-lines.ts';
export { type JournalChunk, readJournal } from './journal-reader.ts';
export { JOURNAL_SUFFIX, journalDir, type JournalTarget, listJournals } from './journal-spool.ts';
export { type JournalWriter, openJournalWriter } from './journal-writer.ts';
export { fitsOutputLimits, OUTPUT_BYTES_KEPT, OUTPUT_LINES_KEPT } from './output-limits.ts';
