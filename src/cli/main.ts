/** Process entry of the `yardmaster` command: wires the process to runCli. */
import { stdinSecretReader } from './read-secret-input.ts';
import { runCli } from './run-cli.ts';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts === 1) {
    process.stderr.write(
      '\naborting: no new host starts, running commands are interrupted, touched hosts roll back (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  } else {
    process.exit(130);
  }
});
process.on('SIGTERM', () => {
  controller.abort();
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: { write: (text) => void process.stderr.write(text) },
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY,
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- undefined when stdout is not a terminal, though @types/node says number
  columns: () => process.stdout.columns ?? 100,
  signal: controller.signal,
  readSecret: stdinSecretReader(process.stdin, (text) => void process.stderr.write(text)),
});
