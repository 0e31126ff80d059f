/** Tests start their OpenSSH hosts with the same sandbox fleet that `yardmaster testdrive` uses. */
export * from '../../src/sandbox/sshd-fleet.ts';
