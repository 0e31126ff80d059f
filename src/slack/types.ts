/** What the Slack adapter needs from the process, and the slice of Slack's Web API it calls. */
import type { ConfigLoader } from '../workorders/service/index.ts';
import type { OctokitSlice } from '../github/index.ts';
import type { ServiceDeps } from '../workorders/service/index.ts';
import type { SlackBlock } from './approval-blocks.ts';

export interface SlackLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A modal as `views.open` takes it (only what Yardmaster uses). */
export interface SlackModal {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: { type: 'plain_text'; text: string };
  submit: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  blocks: (
    | SlackBlock
    | {
        type: 'input';
        block_id: string;
        label: { type: 'plain_text'; text: string };
        element: { type: 'plain_text_input'; action_id: string; multiline: boolean; max_length: number };
      }
  )[];
}

type Answer = Promise<{ ok?: boolean; ts?: string; channel?: string; error?: string }>;

/** The Web API calls Yardmaster makes (Bolt's `app.client` is one). */
export interface SlackClientSlice {
  chat: {
    postMessage(args: { channel: string; text: string; blocks?: SlackBlock[]; thread_ts?: string }): Answer;
    update(args: { channel: string; ts: string; text: string; blocks: SlackBlock[] }): Answer;
    postEphemeral(args: { channel: string; user: string; text: string }): Answer;
  };
  views: {
    open(args: { trigger_id: string; view: SlackModal }): Answer;
  };
}

export interface SlackDeps {
  service: ServiceDeps;
  slack: SlackClientSlice;
  /** A GitHub client for an installation (`probot.auth`), for team roles and the comment naming a Slack approver. */
  githubFor(installationId: number): Promise<OctokitSlice>;
  /** The order's repo config (the default branch's `.github/yardmaster.yml`). */
  loadConfig: ConfigLoader;
  /** Where people see an order (links in messages). */
  publicUrl: string;
  /** GitHub's web root (`https://github.com`, or GitHub Enterprise's), for links to the order's issue or PR. */
  githubWebUrl: string;
  log: SlackLog;
}
