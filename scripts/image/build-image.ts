/** Builds the project's Dockerfile with buildah (no Docker engine, no daemon) on the local bases. */
import { existsSync } from 'node:fs';
import { runCommand } from './command.ts';
import type { LocalBases } from './local-base.ts';

/** Where a host's extra CA bundle is mounted for the build's `npm ci` (TLS-inspecting proxies); never in the image. */
const BUILD_CA_PATH = '/run/build-ca.crt';

/** The arguments of `buildah bud` for `repo`'s Dockerfile, tagged `tag`, as docs/operations.md shows them. */
export function budArguments(repo: string, bases: LocalBases, tag: string, extraCaFile: string | undefined): string[] {
  const ca =
    extraCaFile === undefined
      ? []
      : ['--volume', `${extraCaFile}:${BUILD_CA_PATH}:ro`, '--build-arg', `NODE_EXTRA_CA_CERTS=${BUILD_CA_PATH}`];
  return [
    'bud',
    '--isolation',
    'chroot',
    '--layers=false',
    '--pull=never',
    '--build-arg',
    `BASE=${bases.runtime}`,
    '--build-arg',
    `BUILD_BASE=${bases.build}`,
    ...ca,
    '--tag',
    tag,
    repo,
  ];
}

/** The id of image `name`, or undefined when there is none. */
export async function imageId(name: string): Promise<string | undefined> {
  const found = await runCommand('buildah', ['images', '--quiet', '--no-trunc', name], { timeoutMs: 30_000 }).catch(
    () => undefined,
  );
  const id = found?.stdout.trim().split('\n')[0];
  return id === undefined || id === '' ? undefined : id;
}

/** Builds the image as `tag` (replacing an earlier image of that name) and returns its id. */
export async function buildImage(repo: string, bases: LocalBases, tag: string): Promise<string> {
  const before = await imageId(tag);
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  await runCommand(
    'buildah',
    budArguments(repo, bases, tag, extraCa !== undefined && existsSync(extraCa) ? extraCa : undefined),
    {
      timeoutMs: 10 * 60_000,
    },
  );
  const after = await imageId(tag);
  if (after === undefined) throw new Error(`buildah bud made no image ${tag}`);
  if (before !== undefined && before !== after) await removeImage(before);
  return after;
}

/** Removes an image by name or id; a missing one is fine. */
export async function removeImage(nameOrId: string): Promise<void> {
  await runCommand('buildah', ['rmi', '--force', nameOrId], { timeoutMs: 60_000 }).catch(() => undefined);
}
