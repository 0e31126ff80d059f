/** Block Kit as Yardmaster posts it (`chat.postMessage` / `chat.update` take these). */

/** `emoji: false` on plain_text keeps `:name:` as typed (what approvers read must be what runs). */
export type TextObject = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: TextObject & { type: 'plain_text' } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id: string; elements: SlackButton[] };
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: TextObject & { type: 'plain_text' };
  value: string;
  style?: 'primary' | 'danger';
}

/** Block Kit's limits on a message. */
export const BLOCK_KIT_LIMITS = { blocks: 50, sectionText: 3000 } as const;
