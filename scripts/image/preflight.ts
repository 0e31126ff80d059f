/** What the image check needs from the machine, said in one line each before anything starts. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const PROGRAMS = [
  { program: 'mmdebstrap', from: 'apt-get install mmdebstrap' },
  { program: 'buildah', from: 'apt-get install buildah' },
  { program: 'podman', from: 'apt-get install podman' },
  { program: 'strip', from: 'apt-get install binutils' },
  { program: 'npm', from: 'the npm that installed the project' },
];

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The problems that stop the check here: not root, or programs missing (with where to get them). */
export function preflightProblems(): string[] {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push("needs root: buildah's image storage and its chroot isolation");
  for (const { program, from } of PROGRAMS)
    if (!onPath(program)) problems.push(`${program} is not installed (${from}; .ci/run installs it)`);
  return problems;
}
