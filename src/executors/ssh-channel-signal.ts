/**
 * Sending a signal to the process group of an SSH session (OpenSSH ≥ 7.9 killpg's the session leader's
 * group). ssh2's public `channel.signal()` does nothing once our side has sent EOF (it requires a writable
 * channel), yet stdin is closed right after it is written, before any timeout can fire: so the request goes
 * through ssh2's protocol object, which only needs the channel to be open on the server's side.
 */
import type { ClientChannel } from 'ssh2';
import { propertyOf } from '../lib/trust-boundaries.ts';

interface ChannelInternals {
  outgoing: { id: number; state: string };
  _client: { _protocol: { signal(channelId: number, signalName: string): void } };
}

function hasInternals(channel: object): channel is ChannelInternals {
  const outgoing = propertyOf(channel, 'outgoing');
  const protocol = propertyOf(propertyOf(channel, '_client'), '_protocol');
  return (
    typeof propertyOf(outgoing, 'id') === 'number' &&
    typeof propertyOf(outgoing, 'state') === 'string' &&
    typeof propertyOf(protocol, 'signal') === 'function'
  );
}

/** Sends `signalName` (`TERM`, `KILL`, …) to the command of `channel`; returns false if it could not. */
export function signalChannel(channel: ClientChannel, signalName: 'TERM' | 'KILL' | 'INT' | 'HUP'): boolean {
  if (!hasInternals(channel)) {
    channel.signal(signalName);
    return false;
  }
  const { state, id } = channel.outgoing;
  if (state !== 'open' && state !== 'eof') return false;
  try {
    channel._client._protocol.signal(id, signalName);
    return true;
  } catch {
    return false;
  }
}
