/** The config a change is compared with, read at a ref and parsed: valid, absent or invalid (see BaseConfig). */
import { parseRepoConfig } from '../config/index.ts';
import type { ConfigAtRef } from './config-at-ref.ts';
import type { BaseConfig } from './config-check-output.ts';

/** `file` read at the base ref, named `label` in the summary. */
export function baseConfigOf(file: ConfigAtRef, label: string): BaseConfig {
  if (file.kind === 'missing') return { kind: 'none', label };
  if (file.kind !== 'file') return { kind: 'invalid', label };
  const parsed = parseRepoConfig(file.text);
  return parsed.ok ? { kind: 'config', config: parsed.value, label } : { kind: 'invalid', label };
}
