/**
 * Cipher preference for ssh2. ssh2's optional native binding is not built here, so ChaCha20-Poly1305 would
 * run in pure JavaScript (slow); AES-GCM and AES-CTR go through Node's OpenSSL (AES-NI). ChaCha stays last
 * only for servers that offer nothing else.
 */
export const PREFERRED_CIPHERS = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'chacha20-poly1305@openssh.com',
] as const;

export type SshCipher = (typeof PREFERRED_CIPHERS)[number];
