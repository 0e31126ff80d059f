/** The change list of diffConfigs as text: Markdown for a check-run summary, plain for the terminal. */
import { CONFIG_CHANGE_KINDS, type ConfigChange, type ConfigChangeKind } from './diff-configs.ts';

const HEADINGS: Record<ConfigChangeKind, string> = {
  apps: 'Apps',
  environments: 'Environments',
  commands: 'Commands',
  hosts: 'Hosts and host groups',
  roles: 'Roles and approvers',
  approvals: 'Approvals needed',
  freeze: 'Freeze windows',
  notifications: 'Notifications',
};

function grouped(changes: readonly ConfigChange[]): { heading: string; texts: string[] }[] {
  return CONFIG_CHANGE_KINDS.map((kind) => ({
    heading: HEADINGS[kind],
    texts: changes.filter((item) => item.kind === kind).map((item) => item.text),
  })).filter((group) => group.texts.length > 0);
}

/** A bulleted list per kind under a bold heading; `No change.` when the list is empty. */
export function formatConfigChangesMarkdown(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return 'No change.';
  return grouped(changes)
    .map((group) => [`**${group.heading}**`, '', ...group.texts.map((text) => `- ${text}`)].join('\n'))
    .join('\n\n');
}

/** The same for a terminal: `Heading:` then indented `- ` lines; `no change` when the list is empty. */
export function formatConfigChangesText(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return 'no change';
  return grouped(changes)
    .map((group) => [`${group.heading}:`, ...group.texts.map((text) => `  - ${text}`)].join('\n'))
    .join('\n');
}
