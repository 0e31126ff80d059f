/** Test files: pseudo-random content and SHA-256 digests. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** Writes `size` random bytes to `path` (in 1 MiB blocks, so tens of MB are cheap). */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const block = 1 << 20;
    for (let written = 0; written < size; written += block) {
      await handle.write(randomBytes(Math.min(block, size - written)));
    }
  } finally {
    await handle.close();
  }
}

/** Hex SHA-256 of a file's content. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hex SHA-256 of bytes. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
