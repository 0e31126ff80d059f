/** Upload over the connection's SFTP subsystem. */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import type { SshConnection } from './ssh-connection.ts';

/** Opens an SFTP session on the connection (one channel; reuse it for several uploads). */
export function openSftp(connection: SshConnection): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    const lost = connection.lostError();
    if (lost !== undefined) {
      reject(lost);
      return;
    }
    connection.client.sftp((error, sftp) => {
      if (!error) resolve(sftp);
      else reject(connection.lostError() ?? error);
    });
  });
}

export interface SftpUploadOptions {
  mode?: number | undefined;
}

/** Rejects when `sftp` closes under a pending operation (fastPut does not always call back then). */
function closedWhile<T>(sftp: SFTPWrapper, connection: SshConnection, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onClose = (): void => {
      reject(connection.lostError() ?? new Error('the SFTP session closed'));
    };
    sftp.once('close', onClose);
    work.then(
      (value) => {
        sftp.off('close', onClose);
        resolve(value);
      },
      (error: unknown) => {
        sftp.off('close', onClose);
        reject(connection.lostError() ?? (error instanceof Error ? error : new Error(String(error))));
      },
    );
  });
}

/**
 * ssh2's `fastPut`: many reads and writes in flight at once (default 64 × 32 KiB), which hides the round
 * trip of each SFTP write. With `mode`, the file gets exactly that mode.
 */
export function sftpFastPut(
  sftp: SFTPWrapper,
  connection: SshConnection,
  localPath: string,
  remotePath: string,
  options: SftpUploadOptions = {},
): Promise<void> {
  const work = new Promise<void>((resolve, reject) => {
    const callback = (error: Error | null | undefined): void => {
      if (error === undefined || error === null) resolve();
      else reject(error);
    };
    if (options.mode === undefined) sftp.fastPut(localPath, remotePath, callback);
    else sftp.fastPut(localPath, remotePath, { mode: options.mode }, callback);
  });
  return closedWhile(sftp, connection, work);
}

/** A plain stream copy into an SFTP write stream (for comparison with fastPut). */
export function sftpStreamPut(
  sftp: SFTPWrapper,
  connection: SshConnection,
  localPath: string,
  remotePath: string,
  options: SftpUploadOptions = {},
): Promise<void> {
  const target =
    options.mode === undefined
      ? sftp.createWriteStream(remotePath)
      : sftp.createWriteStream(remotePath, { mode: options.mode });
  const work = pipeline(createReadStream(localPath), target).then(async () => {
    if (options.mode === undefined) return;
    const mode = options.mode;
    await new Promise<void>((resolve, reject) => {
      sftp.chmod(remotePath, mode, (error) => {
        if (error === undefined || error === null) resolve();
        else reject(error);
      });
    });
  });
  return closedWhile(sftp, connection, work);
}
