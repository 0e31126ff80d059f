/**
 * What approvers see: the plan reply on GitHub and the Slack approval message show the package, hosts with addresses,
 * the strategy and every command of every stage verbatim, quoted so no command breaks out, and say so when something
 * does not fit instead of cutting it.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig, ResolvedHost } from '../../src/config/types.ts';
import { GITHUB_COMMENT_LIMIT, planSummaryMarkdown } from '../../src/github/work-order-replies.ts';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import type { CommandSettings } from '../../src/plan/types.ts';
import { revealInvisible } from '../../src/plan/reveal-invisible.ts';
import { approvalBlocks, type ApprovalView } from '../../src/slack/approval-blocks.ts';
import { summarizePlan, type PlanSummary } from '../../src/workorders/service/plan-summary.ts';
import { expectValidBlocks } from '../helpers/slack-block-kit.ts';
import { planYaml, SHA, valueOf } from './plan-fixtures.ts';

const ENVIRONMENT: EnvironmentConfig = {
  hosts: ['web'],
  approvals: 2,
  approvers: ['team:ops'],
  freeze: [],
  production: true,
  env: {},
  secretEnv: [],
};
const ROLES = { projectManager: [], developer: ['carol'], ops: ['team:ops'], deployer: [], acceptor: [] };

function hosts(count: number): ResolvedHost[] {
  return Array.from({ length: count }, (_, index) => ({
    entry: {
      name: `web-${index + 1}`,
      address: `10.1.${Math.floor(index / 250)}.${(index % 250) + 1}`,
      port: index === 1 ? 2222 : 22,
      executor: 'ssh' as const,
    },
    deployTo: '/srv/shop',
  }));
}

/** The summary of a plan with `extra` lines, under an app and environment with `commands` (none by default). */
function summaryOf(
  extra: string,
  hostCount = 3,
  commands: { app?: CommandSettings; environment?: CommandSettings } = {},
): PlanSummary {
  const plan = valueOf(parsePlan(planYaml(extra)));
  const environment = {
    ...ENVIRONMENT,
    ...(commands.environment === undefined ? {} : { commands: commands.environment }),
  };
  return summarizePlan({
    plan,
    app: {
      deployTo: '/srv/shop',
      environments: { production: environment },
      ...(commands.app === undefined ? {} : { commands: commands.app }),
    },
    hosts: hosts(hostCount),
    environment,
    roles: ROLES,
    version: { seq: 1, digest: 'd'.repeat(64), commitSha: null, author: 'carol' },
  });
}

/**
 * `summary` with `commands` in `stage`: larger than a plan may be since the plan limits (64 KiB, 100 commands a
 * stage), so the replies' own bounds are still held to when a summary is larger than any plan makes it.
 */
function withCommands(summary: PlanSummary, commands: Partial<Record<'check' | 'release', string[]>>): PlanSummary {
  return {
    ...summary,
    stages: summary.stages.map((stage) =>
      (stage.stage === 'check' || stage.stage === 'release') && commands[stage.stage] !== undefined
        ? { ...stage, commands: commands[stage.stage] ?? [] }
        : stage,
    ),
  };
}

function yamlList(commands: readonly string[]): string {
  return `[${commands.map((command) => JSON.stringify(command)).join(', ')}]`;
}

function commandsYaml(stages: {
  check?: string[];
  pre_deploy?: string[];
  post_deploy?: string[];
  release?: string[];
  health?: string;
  monitor?: string;
}): string {
  const lines = ['commands:'];
  for (const stage of ['check', 'pre_deploy', 'post_deploy', 'release'] as const) {
    const list = stages[stage];
    if (list !== undefined) lines.push(`  ${stage}: ${yamlList(list)}`);
  }
  if (stages.health !== undefined)
    lines.push(`  health: { command: ${JSON.stringify(stages.health)}, retries: 2, interval: 1s }`);
  if (stages.monitor !== undefined)
    lines.push(`  monitor: { http: ${JSON.stringify(stages.monitor)}, duration: 1m, interval: 10s }`);
  return lines.join('\n');
}

/** Code (inert) and raw HTML of a reply, as GitHub renders it. */
function rendered(markdown: string): { code: string[]; html: string[] } {
  const found = { code: [] as string[], html: [] as string[] };
  const walk = (node: { type: string; value?: string; children?: unknown[] }): void => {
    if ((node.type === 'code' || node.type === 'inlineCode') && node.value !== undefined) found.code.push(node.value);
    if (node.type === 'html' && node.value !== undefined) found.html.push(node.value);
    for (const child of node.children ?? []) walk(child as { type: string; value?: string; children?: unknown[] });
  };
  walk(fromMarkdown(markdown));
  return found;
}

const NASTY = [
  'echo "````" `id` && echo ~~~',
  'printf "</details>\\n<details open><summary>fine</summary>" @pam',
  'cat <<EOF\n<!-- not a comment -->\n```\nEOF',
  '  echo leading spaces and trailing ` ',
];

function view(summary: PlanSummary): ApprovalView {
  return {
    workOrderId: 7,
    repoFullName: 'acme/shop',
    number: 12,
    title: 'Ship it',
    state: 'planned',
    summary,
    approvedBy: [],
    needed: 2,
    githubUrl: 'https://github.com/acme/shop/issues/12',
    url: 'https://yardmaster.example.com/orders/7',
    stale: false,
  };
}

function blockTexts(blocks: unknown): string[] {
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') texts.push(inner);
        else walk(inner);
      }
    }
  };
  walk(blocks);
  return texts;
}

describe('the plan reply on GitHub', () => {
  it('shows the package with its full sha256, hosts with addresses per batch, the strategy and every command verbatim', () => {
    const summary = summaryOf(
      [
        'strategy: { mode: batches, batch_size: 1, canary: 1, pause: 30s }',
        'rollback_version: 2.4.0',
        commandsYaml({
          check: ['test -d /srv'],
          release: ['systemctl restart shop'],
          health: 'curl -fsS localhost:8080/healthz',
          monitor: 'http://127.0.0.1:8080/healthz',
        }),
      ].join('\n'),
    );
    const reply = planSummaryMarkdown(
      summary,
      'Plan v1: needs 2 approval(s).',
      'https://yardmaster.example.com/orders/7',
    );
    const shown = rendered(reply);
    expect(shown.code).toContain('https://artifacts.example.com/checkout-api-2.4.1.tar.gz');
    expect(shown.code).toContain(SHA);
    expect(shown.code).toEqual(
      expect.arrayContaining(['web-1', '10.1.0.1', 'web-2', '10.1.0.2 port 2222', 'web-3', '10.1.0.3', '2.4.0']),
    );
    expect(shown.code).toEqual(
      expect.arrayContaining([
        'test -d /srv',
        'systemctl restart shop',
        'curl -fsS localhost:8080/healthz',
        'http://127.0.0.1:8080/healthz',
      ]),
    );
    expect(reply).toContain(
      'batches of 1, 1 canary host first, 30s pause between batches, stops at the first failed host',
    );
    expect(reply).toContain(
      '**Batches:** 1: `web-1` (`10.1.0.1`); 2: `web-2` (`10.1.0.2 port 2222`); 3: `web-3` (`10.1.0.3`)',
    );
    expect(reply).toContain('**health** (command probe, 3 tries 1s apart)');
    expect(reply).toContain('**monitor** (HTTP probe, every 10s for 60s)');
    // Short: not folded.
    expect(shown.html).toEqual([]);
  });

  it('keeps commands with backticks, </details>, HTML comments and @mentions inert, and folds a long list', () => {
    const many = Array.from({ length: 12 }, (_, index) => `./step-${index}.sh`);
    const summary = summaryOf(commandsYaml({ check: NASTY, post_deploy: many }));
    const reply = planSummaryMarkdown(summary, 'ok', 'https://yardmaster.example.com/orders/7');
    const shown = rendered(reply);
    for (const command of [...NASTY, ...many]) expect(shown.code).toContain(command);
    expect(shown.html).toEqual([
      '<details>\n<summary>Every command, verbatim: 16 commands in 2 stages (click to read them all before approving)</summary>',
      '</details>',
    ]);
  });

  it('shows invisible and direction-changing characters as code points, with a warning', () => {
    const summary = summaryOf(commandsYaml({ release: ['echo safe\u202E;rm -rf /\u202C #', 'a\u200Bb\tc'] }));
    const reply = planSummaryMarkdown(summary, 'ok', 'https://yardmaster.example.com/orders/7');
    expect(rendered(reply).code).toEqual(
      expect.arrayContaining(['echo safe⟨U+202E⟩;rm -rf /⟨U+202C⟩ #', 'a⟨U+200B⟩b\tc']),
    );
    expect(reply).toContain('invisible or direction-changing characters');
    expect(reply).not.toContain('\u202E');
  });

  it('says a plan without commands runs only the built-in stages', () => {
    expect(planSummaryMarkdown(summaryOf(''), 'ok', 'u')).toContain('**Commands:** none; only the built-in stages run');
  });

  it('says so, and points to the plan comment and the order page, when the commands make the reply too long for GitHub', () => {
    const huge = Array.from({ length: 40 }, (_, index) => `echo ${index} ${'x'.repeat(2000)}`);
    const reply = planSummaryMarkdown(
      withCommands(summaryOf(''), { release: huge }),
      'ok',
      'https://yardmaster.example.com/orders/7',
    );
    expect(reply.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(reply).toContain('The commands are too long for this reply');
    expect(reply).toContain('(https://yardmaster.example.com/orders/7)');
    expect(reply).toContain(SHA);
  });
});

describe("where each stage's commands come from", () => {
  const config = {
    app: { preDeploy: ['npm ci --omit=dev'], postDeploy: ['systemctl reload shop'], release: ['touch /etc/lb/app'] },
    environment: { postDeploy: ['systemctl reload shop-prod'], check: ['test -d /srv/shop'] },
  };
  const plan = commandsYaml({ release: ['touch /etc/lb/plan'], health: 'curl -fsS localhost/healthz' });

  it('shows in the GitHub reply the environment over the app, and a plan stage as the plan or as an override with what it replaced', () => {
    const reply = planSummaryMarkdown(summaryOf(plan, 3, config), 'ok', 'https://yardmaster.example.com/orders/7');
    expect(reply).toMatch(/\*\*check\*\*: [^\n]*\(from the environment's commands in the repo config\)/);
    expect(reply).toMatch(/\*\*pre_deploy\*\*: [^\n]*\(from the app's commands in the repo config\)/);
    expect(reply).toMatch(/\*\*post_deploy\*\*: [^\n]*\(from the environment's commands in the repo config\)/);
    expect(reply).toMatch(/\*\*release\*\*: [^\n]*\(plan override: replaces the app's commands in the repo config\)/);
    expect(reply).toMatch(/\*\*health\*\* \(command probe, [^)]*\): [^\n]*\(from the plan\)/);
    const shown = rendered(reply);
    // What runs, and what the override replaced (folded, marked as not run); the app's post_deploy is not shown.
    expect(shown.code).toEqual(
      expect.arrayContaining([
        'test -d /srv/shop',
        'npm ci --omit=dev',
        'systemctl reload shop-prod',
        'touch /etc/lb/plan',
        'touch /etc/lb/app',
      ]),
    );
    expect(shown.code).not.toContain('systemctl reload shop');
    expect(reply).toContain("<summary>Replaced, not run: the config's 1 command</summary>");
    expect(reply.indexOf('touch /etc/lb/plan')).toBeLessThan(reply.indexOf('touch /etc/lb/app'));
    expect(reply).toContain('5 commands in 5 stages');
  });

  it('shows the same origins in the Slack approval message', () => {
    const blocks = approvalBlocks(view(summaryOf(plan, 3, config)));
    expectValidBlocks(blocks);
    const texts = blockTexts(blocks).join('\n');
    expect(texts).toContain('▶ check: ');
    expect(texts).toMatch(
      /▶ pre_deploy: [^\n]*\(from the app's commands in the repo config\)\n\[1\] npm ci --omit=dev/,
    );
    expect(texts).toMatch(
      /▶ post_deploy: [^\n]*\(from the environment's commands in the repo config\)\n\[1\] systemctl reload shop-prod/,
    );
    expect(texts).toMatch(
      /▶ release: [^\n]*\(plan override: replaces the app's commands in the repo config\)\n\[1\] touch \/etc\/lb\/plan/,
    );
    expect(texts).not.toContain('touch /etc/lb/app');
  });
});

describe('the Slack approval message', () => {
  it('shows the package, hosts with addresses and every command verbatim in plain text, as valid Block Kit', () => {
    const summary = summaryOf(
      commandsYaml({
        check: NASTY,
        release: ['systemctl restart shop :tada: <!here> *bold*'],
        health: 'curl -fsS localhost/healthz',
        monitor: 'http://127.0.0.1:8080/healthz',
      }),
    );
    const blocks = approvalBlocks(view(summary));
    expectValidBlocks(blocks);
    const texts = blockTexts(blocks).join('\n');
    for (const command of [...NASTY, 'systemctl restart shop :tada: <!here> *bold*', 'curl -fsS localhost/healthz'])
      expect(texts).toContain(command);
    expect(texts).toContain('GET http://127.0.0.1:8080/healthz from the host itself, expecting 200');
    expect(texts).toContain(SHA);
    expect(texts).toContain('1. web-1 (10.1.0.1)\n2. web-2 (10.1.0.2 port 2222)\n3. web-3 (10.1.0.3)');
    // Commands sit in plain_text without emoji: Slack formats nothing of them.
    const commandBlock = blocks.find(
      (block) => block.type === 'section' && block.text?.text.includes('systemctl restart shop'),
    );
    expect(commandBlock).toMatchObject({ text: { type: 'plain_text', emoji: false } });
    expect(JSON.stringify(blocks)).toContain('yardmaster_approve');
  });

  it('splits many commands over sections within 3000 characters each and keeps them all', () => {
    const many = Array.from({ length: 120 }, (_, index) => `./migrate.sh --step ${index} ${'y'.repeat(150)}`);
    const blocks = approvalBlocks(view(withCommands(summaryOf(''), { release: many })));
    expectValidBlocks(blocks);
    const texts = blockTexts(blocks).join('\n');
    for (const command of many) expect(texts).toContain(command);
    expect(texts).toContain('▶ release: once health passes (continued)');
    expect(texts).not.toContain('Not everything');
  });

  it('says what does not fit, points to GitHub and the order page, and offers only Reject', () => {
    const tooMany = Array.from({ length: 60 }, (_, index) => `echo ${index} ${'z'.repeat(2800)}`);
    const oneTooLong = `echo ${'w'.repeat(3200)}`;
    const blocks = approvalBlocks(view(withCommands(summaryOf(''), { check: [oneTooLong], release: tooMany })));
    expectValidBlocks(blocks);
    expect(blocks).toHaveLength(50);
    const texts = blockTexts(blocks).join('\n');
    expect(texts).not.toContain(oneTooLong);
    const shownCount = tooMany.filter((command) => texts.includes(command)).length;
    expect(shownCount).toBeGreaterThan(0);
    expect(texts).toContain(
      `*Not everything that will run fits in this message*: ${1 + tooMany.length - shownCount} commands of check, release are not shown here.`,
    );
    expect(texts).toContain('<https://github.com/acme/shop/issues/12|plan reply on GitHub>');
    expect(texts).toContain('<https://yardmaster.example.com/orders/7|order page>');
    const json = JSON.stringify(blocks);
    expect(json).not.toContain('yardmaster_approve');
    expect(json).toContain('yardmaster_reject');
  });

  it('lists hosts until the section is full, then says how many more there are, and offers only Reject', () => {
    const blocks = approvalBlocks(view(summaryOf('strategy: { mode: serial }', 400)));
    expectValidBlocks(blocks);
    const texts = blockTexts(blocks).join('\n');
    expect(texts).toMatch(/⚠️ \d+ more batches \(\d+ hosts\) do not fit here: read them in the plan reply on GitHub/);
    expect(JSON.stringify(blocks)).not.toContain('yardmaster_approve');
  });

  it('escapes host names in mrkdwn', () => {
    const summary = summaryOf('');
    const tricky = { ...summary, batchHosts: [[{ name: '<!channel>', address: '10.0.0.1', port: 22 }]] };
    expect(blockTexts(approvalBlocks(view(tricky))).join('\n')).toContain('1. &lt;!channel&gt; (10.0.0.1)');
  });
});

describe('revealInvisible', () => {
  it('keeps tab and newline, shows other controls and format characters', () => {
    expect(revealInvisible('a\tb\nc')).toStrictEqual({ text: 'a\tb\nc', revealed: false });
    expect(revealInvisible('a\rb\u0000\u2066\uFEFF\u3164')).toStrictEqual({
      text: 'a⟨U+000D⟩b⟨U+0000⟩⟨U+2066⟩⟨U+FEFF⟩⟨U+3164⟩',
      revealed: true,
    });
  });
});
