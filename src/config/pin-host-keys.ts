/**
 * Writing `host_key` pins into a config file's text, keeping everything else byte for byte. The parsed YAML document
 * says where each host entry and its `host_key` are (node ranges); only those spots are spliced. Re-serialising the
 * document (Document#toString) would reformat untouched lines: it folds long flow maps over several lines, writes
 * `[web]` as `[ web ]` and respaces comments.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { hostKeySchema } from './field-schemas.ts';

export type PinHostKeysResult =
  | {
      ok: true;
      text: string;
      /** The hosts whose entry was edited. */
      pinned: string[];
      /** Hosts of `pins` with no entry in the file's `hosts:` groups. */
      missing: string[];
    }
  | { ok: false; message: string };

interface Splice {
  start: number;
  end: number;
  text: string;
}

function nodeEnd(node: unknown): number | undefined {
  if (isScalar(node) || isMap(node) || isSeq(node)) return node.range?.[1];
  return undefined;
}

/** Where the line holding `offset` ends (before its `\r\n` or `\n`), or the end of the text. */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline === -1) return text.length;
  return text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** The splice that gives one host entry (a map in a group's list) `host_key: "<fingerprint>"`. */
function pinSplice(text: string, entry: YAMLMap, fingerprint: string): Splice | undefined {
  const quoted = `"${fingerprint}"`;
  const existing = entry.items.find((pair) => isScalar(pair.key) && pair.key.value === 'host_key');
  if (existing !== undefined) {
    const range = isScalar(existing.value) ? existing.value.range : undefined;
    return range === undefined || range === null ? undefined : { start: range[0], end: range[1], text: quoted };
  }
  const first = entry.items[0];
  const last = entry.items.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const lastEnd = nodeEnd(last.value) ?? nodeEnd(last.key);
  if (lastEnd === undefined) return undefined;
  if (entry.flow === true) return { start: lastEnd, end: lastEnd, text: `, host_key: ${quoted}` };
  const keyStart = isScalar(first.key) ? first.key.range?.[0] : undefined;
  if (keyStart === undefined) return undefined;
  const indent = ' '.repeat(keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // After the line the entry's last value ends on, so a comment at its end stays on that line.
  const at = lineEnd(text, lastEnd);
  return { start: at, end: at, text: `${eol}${indent}host_key: ${quoted}` };
}

/**
 * Sets `host_key` of each host named in `pins` (host name → `SHA256:` fingerprint) in the config text: a pin that is
 * there is replaced in place, a missing one is added as the entry's last field (in a flow map `{ … }` inside the
 * braces, in a block map on a line of its own). Refuses (ok: false) when the result would differ from the input in
 * anything but these pins.
 */
export function pinHostKeys(text: string, pins: ReadonlyMap<string, string>): PinHostKeysResult {
  for (const [name, fingerprint] of pins) {
    if (!hostKeySchema.safeParse(fingerprint).success) return { ok: false, message: `not a fingerprint for ${name}` };
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) return { ok: false, message: 'the config is not valid YAML' };
  const groups = document.get('hosts', true);
  if (!isMap(groups)) return { ok: false, message: 'the config has no hosts: map' };

  const splices: Splice[] = [];
  const pinned: string[] = [];
  for (const group of groups.items) {
    if (!isSeq(group.value)) continue;
    for (const entry of group.value.items) {
      if (!isMap(entry)) continue;
      const name = entry.get('name');
      const fingerprint = typeof name === 'string' ? pins.get(name) : undefined;
      if (typeof name !== 'string' || fingerprint === undefined) continue;
      const splice = pinSplice(text, entry, fingerprint);
      if (splice === undefined) return { ok: false, message: `cannot find where to write host_key of ${name}` };
      splices.push(splice);
      pinned.push(name);
    }
  }

  let edited = text;
  for (const splice of splices.toSorted((a, b) => b.start - a.start)) {
    edited = edited.slice(0, splice.start) + splice.text + edited.slice(splice.end);
  }

  // The edit must mean exactly "these pins set": the data read back equals the data before with the pins applied.
  const expected: unknown = document.toJS();
  if (isRecord(expected) && isRecord(expected.hosts)) {
    for (const entries of Object.values(expected.hosts)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        const fingerprint = isRecord(entry) && typeof entry.name === 'string' ? pins.get(entry.name) : undefined;
        if (isRecord(entry) && fingerprint !== undefined) entry.host_key = fingerprint;
      }
    }
  }
  const reread = parseDocument(edited);
  if (reread.errors.length > 0 || !isDeepStrictEqual(reread.toJS(), expected))
    return { ok: false, message: 'the pins cannot be written without changing other content' };

  return { ok: true, text: edited, pinned, missing: [...pins.keys()].filter((name) => !pinned.includes(name)) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
