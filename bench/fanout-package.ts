/**
 * A realistic ~20 MB release package for the fan-out bench: a few hundred files, text that compresses
 * (source-like lines from a vocabulary) mixed with incompressible assets (pseudo-random bytes), as tar.gz.
 * Content is deterministic (seeded) so runs are comparable.
 */
import { execFile } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BenchPackage {
  path: string;
  sha256: string;
  /** Compressed size in bytes. */
  size: number;
  /** Sum of the file sizes before compression. */
  rawSize: number;
  files: number;
}

/** Deterministic pseudo-random bytes: AES-128-CTR over zeros with a key derived from `seed`. */
function byteStream(seed: string): (length: number) => Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return (length) => cipher.update(Buffer.alloc(length));
}

/** A small linear congruential generator for choices (sizes, words). */
function chooser(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % limit;
  };
}

function vocabulary(pick: (limit: number) => number, size: number): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words: string[] = [];
  for (let i = 0; i < size; i++) {
    const length = 3 + pick(9);
    let word = '';
    for (let j = 0; j < length; j++) word += letters[pick(letters.length)] ?? 'x';
    words.push(word);
  }
  return words;
}

/** Source-like text: indented statements built from the vocabulary. */
function textFile(pick: (limit: number) => number, words: readonly string[], bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  const word = (): string => words[pick(words.length)] ?? 'x';
  while (length < bytes) {
    const indent = '  '.repeat(pick(4));
    const kind = pick(5);
    const line =
      kind === 0
        ? `${indent}const ${word()}${pick(100)} = ${word()}.${word()}(${word()}, ${pick(10_000)});`
        : kind === 1
          ? `${indent}if (${word()} && ${word()}.${word()} !== '${word()}') return ${word()};`
          : kind === 2
            ? `${indent}// ${word()} ${word()} ${word()} ${word()} ${word()} ${word()}`
            : kind === 3
              ? `${indent}export function ${word()}${word()}(${word()}: ${word()}): void {`
              : `${indent}}`;
    parts.push(line);
    length += line.length + 1;
  }
  return `${parts.join('\n')}\n`;
}

/**
 * Builds the package into `dir`: 40 binary assets (about 12 MB, incompressible) and 260 text files
 * (about 19 MB raw, compressing to about 8 MB). Returns its path, sha256 and sizes.
 */
export async function buildBenchPackage(dir: string, version: string): Promise<BenchPackage> {
  const src = await mkdtemp(join(tmpdir(), 'ym-bench-pkg-src-'));
  try {
    const pick = chooser(0x5eed);
    const random = byteStream('yardmaster-fanout-bench');
    const words = vocabulary(pick, 4000);
    let rawSize = 0;
    let files = 0;
    const write = async (name: string, content: string | Buffer): Promise<void> => {
      const path = join(src, name);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, content);
      rawSize += content.length;
      files++;
    };
    await write('VERSION', `${version}\n`);
    for (let i = 0; i < 40; i++) {
      await write(`public/assets/img-${String(i).padStart(3, '0')}.bin`, random(140_000 + pick(340_000)));
    }
    for (let i = 0; i < 260; i++) {
      const area = ['lib', 'app', 'vendor', 'views', 'config'][i % 5] ?? 'lib';
      await write(
        `${area}/mod-${Math.floor(i / 20)}/file-${String(i).padStart(3, '0')}.js`,
        textFile(pick, words, 20_000 + pick(110_000)),
      );
    }
    await mkdir(dir, { recursive: true });
    const path = join(dir, `app-${version}.tar.gz`);
    await run('tar', ['-czf', path, '-C', src, '.']);
    const [info, content] = await Promise.all([stat(path), readFile(path)]);
    return { path, sha256: createHash('sha256').update(content).digest('hex'), size: info.size, rawSize, files };
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}
