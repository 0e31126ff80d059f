import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import { HOST_KEY } from './config-fixtures.ts';
import { issuesOf } from './plan-fixtures.ts';

/** A config with one app `api` whose environment `qa` gets `envFields`, and hosts from `hosts`. */
function configYaml(envFields: string, hosts = '  web: [{ name: web-1, address: 10.0.0.1 }]'): string {
  return [
    'apps:',
    '  api:',
    '    deploy_to: /srv/api',
    '    environments:',
    `      qa: { hosts: [web], ${envFields} }`,
    'hosts:',
    hosts,
  ].join('\n');
}

function problems(text: string): string[] {
  return issuesOf(parseRepoConfig(text));
}

describe('config validation: apps and environments', () => {
  it('requires deploy_to and environments, and hosts in each environment', () => {
    expect(problems('apps:\n  api:\n    project: shop\n')).toStrictEqual([
      'line 2, column 3, apps.api.deploy_to: missing required field',
      'line 2, column 3, apps.api.environments: missing required field',
    ]);
    expect(
      problems('apps:\n  api:\n    deploy_to: /srv/api\n    environments:\n      qa: { approvals: 1 }\n'),
    ).toStrictEqual(['line 5, column 7, apps.api.environments.qa.hosts: missing required field']);
    expect(problems('apps:\n  api:\n    deploy_to: /srv/api\n    environments: {}\n')).toStrictEqual([
      'line 4, column 5, apps.api.environments: expected at least one environment',
    ]);
  });

  it.each([
    ['srv/api', 'expected an absolute path like /srv/app'],
    ['/srv/../etc', 'must not contain ".." segments'],
    ['/', 'cannot be the root directory'],
    ['"/srv/api\\nrm -rf /"', 'must not contain control characters (such as a newline or NUL)'],
    ['"/srv/a\\0b"', 'must not contain control characters (such as a newline or NUL)'],
    ['42', 'expected an absolute path like /srv/app'],
  ])('rejects deploy_to %s', (path, message) => {
    expect(
      problems(
        `apps:\n  api:\n    deploy_to: ${path}\n    environments: { qa: { hosts: [web] } }\nhosts: { web: [{ name: web, address: x }] }`,
      ),
    ).toStrictEqual([`line 3, column 5, apps.api.deploy_to: ${message}`]);
  });

  it('rejects bad app and environment names at the key', () => {
    expect(
      problems('apps:\n  "my app":\n    deploy_to: /srv/a\n    environments: { qa: { hosts: [w] } }\n'),
    ).toStrictEqual([
      "line 2, column 3, apps.my app: expected a name of letters, digits, '.', '_' or '-' that starts with a letter or digit (at most 63 characters)",
    ]);
  });

  it('rejects unknown fields with a suggestion', () => {
    expect(problems(configYaml('aprovals: 2'))).toStrictEqual([
      'line 5, column 27, apps.api.environments.qa.aprovals: unknown field; did you mean approvals?',
    ]);
    expect(problems(`${configYaml('approvals: 2')}\nrole: {}`)).toStrictEqual([
      'line 8, column 1, role: unknown field; did you mean roles?',
    ]);
  });

  it('rejects negative approvals and non-list approvers', () => {
    expect(problems(configYaml('approvals: -1, approvers: team:ops'))).toStrictEqual([
      'line 5, column 27, apps.api.environments.qa.approvals: expected at least 0',
      'line 5, column 42, apps.api.environments.qa.approvers: expected a list of GitHub logins or team:slug',
    ]);
  });

  it('checks variable names and values', () => {
    expect(problems(configYaml('env: { YM_APP: x, 1ST: y, "A-B": z, RATIO: 1.5, OK: fine }'))).toStrictEqual([
      'line 5, column 34, apps.api.environments.qa.env.YM_APP: names starting with YM_ are reserved for Yardmaster',
      'line 5, column 45, apps.api.environments.qa.env.1ST: expected a variable name of letters, digits and _, not starting with a digit',
      'line 5, column 53, apps.api.environments.qa.env.A-B: expected a variable name of letters, digits and _, not starting with a digit',
      'line 5, column 63, apps.api.environments.qa.env.RATIO: expected a string; quote values such as "1.10"',
    ]);
    expect(problems(configYaml('secret_env: [TOKEN, YM_SECRET, "bad name"]'))).toStrictEqual([
      'line 5, column 47, apps.api.environments.qa.secret_env[1]: names starting with YM_ are reserved for Yardmaster',
      'line 5, column 58, apps.api.environments.qa.secret_env[2]: expected a variable name of letters, digits and _, not starting with a digit',
    ]);
  });

  it('refuses a variable that is both plain and secret', () => {
    expect(problems(configYaml('env: { TOKEN: x }, secret_env: [TOKEN]'))).toStrictEqual([
      'line 5, column 59, apps.api.environments.qa.secret_env[0]: TOKEN is also set in env; keep it in one place',
    ]);
  });

  it('checks the transfer method', () => {
    expect(problems(configYaml('transfer: rsync'))).toStrictEqual([
      'line 5, column 27, apps.api.environments.qa.transfer: expected one of stream, sftp, scp, pull',
    ]);
  });
});

describe('config validation: hosts', () => {
  it.each([
    ['{ name: web-1 }', 'line 7, column 9, hosts.web[0].address: missing required field'],
    [
      '{ name: web-1, address: "-oProxyCommand=id" }',
      'line 7, column 24, hosts.web[0].address: expected a host name or IP address',
    ],
    ['{ name: web-1, address: "a b" }', 'line 7, column 24, hosts.web[0].address: expected a host name or IP address'],
    ['{ name: web-1, address: x, port: 0 }', 'line 7, column 36, hosts.web[0].port: expected at least 1'],
    ['{ name: web-1, address: x, port: 65536 }', 'line 7, column 36, hosts.web[0].port: expected at most 65535'],
    ['{ name: web-1, address: x, port: "22" }', 'line 7, column 36, hosts.web[0].port: expected a whole number'],
    [
      '{ name: web-1, address: x, user: "-x" }',
      'line 7, column 36, hosts.web[0].user: expected a user name of letters, digits, ., _ or -',
    ],
    [
      '{ name: web-1, address: x, host_key: "SHA256:short" }',
      'line 7, column 36, hosts.web[0].host_key: expected an OpenSSH fingerprint like SHA256:<43 base64 characters>',
    ],
    [
      '{ name: web-1, address: x, host_key: "MD5:aa:bb" }',
      'line 7, column 36, hosts.web[0].host_key: expected an OpenSSH fingerprint like SHA256:<43 base64 characters>',
    ],
    [
      '{ name: web-1, address: x, deploy_to: relative }',
      'line 7, column 36, hosts.web[0].deploy_to: expected an absolute path like /srv/app',
    ],
    [
      '{ name: web-1, address: x, executor: docker }',
      'line 7, column 36, hosts.web[0].executor: expected one of ssh, local',
    ],
    [
      '{ name: "web 1", address: x }',
      "line 7, column 11, hosts.web[0].name: expected a name of letters, digits, '.', '_' or '-' that starts with a letter or digit (at most 63 characters)",
    ],
    [
      '{ name: web-1, address: x, hostkey: y }',
      'line 7, column 36, hosts.web[0].hostkey: unknown field; did you mean host_key?',
    ],
  ])('rejects the host %s', (host, message) => {
    expect(problems(configYaml('approvals: 1', `  web: [${host}]`))).toStrictEqual([message]);
  });

  it('accepts a pinned host key with and without the trailing =', () => {
    for (const key of [HOST_KEY, `${HOST_KEY}=`]) {
      const result = parseRepoConfig(
        configYaml('approvals: 1', `  web: [{ name: web-1, address: x, host_key: "${key}" }]`),
      );
      expect(result.ok && result.value.hosts.web?.[0]?.hostKey).toBe(key);
    }
  });

  it('refuses an empty group', () => {
    expect(problems(configYaml('approvals: 1', '  web: []'))).toStrictEqual([
      'line 7, column 3, hosts.web: a host group needs at least one host',
    ]);
  });

  it('requires host names to be unique across groups', () => {
    const hosts =
      '  web: [{ name: web-1, address: a }, { name: web-1, address: b }]\n  canary: [{ name: web-1, address: c }]';
    expect(problems(configYaml('approvals: 1', hosts))).toStrictEqual([
      'line 7, column 40, hosts.web[1].name: host name web-1 is already used earlier in this group',
      'line 8, column 14, hosts.canary[0].name: host name web-1 is already used in group web',
    ]);
  });

  it('refuses a name that is both a group and another host', () => {
    const hosts = '  web: [{ name: web-1, address: a }]\n  other: [{ name: web, address: b }]';
    expect(problems(configYaml('approvals: 1', hosts))).toStrictEqual([
      'line 7, column 3, hosts.web: web is both a group and a host name (in group other)',
    ]);
  });

  it('requires environments to name existing groups or hosts', () => {
    const text = configYaml('approvals: 1').replace('hosts: [web]', 'hosts: [web, wbe-1, nowhere]');
    expect(problems(text)).toStrictEqual([
      'line 5, column 26, apps.api.environments.qa.hosts[1]: unknown host or group wbe-1; did you mean web-1?',
      'line 5, column 33, apps.api.environments.qa.hosts[2]: unknown host or group nowhere',
    ]);
  });
});

describe('config validation: roles and slack', () => {
  it('accepts logins, bots and team slugs', () => {
    const text = `${configYaml('approvers: [octocat, team:release-managers]')}\nroles: { ops: [team:ops, a-b, "renovate[bot]"] }`;
    const result = parseRepoConfig(text);
    expect(result.ok && result.value.roles).toStrictEqual({
      projectManager: [],
      developer: [],
      ops: ['team:ops', 'a-b', 'renovate[bot]'],
      deployer: [],
      acceptor: [],
    });
  });

  it('rejects bad principals and unknown roles', () => {
    expect(
      problems(`${configYaml('approvals: 1')}\nroles: { ops: ["bad login!", "team:"], admin: [x] }`),
    ).toStrictEqual([
      'line 8, column 16, roles.ops[0]: expected a GitHub login or team:slug',
      'line 8, column 30, roles.ops[1]: expected a GitHub login or team:slug',
      'line 8, column 40, roles.admin: unknown field',
    ]);
  });

  it('checks Slack member ids', () => {
    expect(problems(`${configYaml('approvals: 1')}\nslack: { users: { octocat: octocat } }`)).toStrictEqual([
      'line 8, column 19, slack.users.octocat: expected a Slack member id like U0123ABCD',
    ]);
  });

  it('checks notification subscriptions', () => {
    const notify =
      'notify: { events: [deployed], email: [ops], webhooks: [{ url: "ftp://x", secret_env: YM_KEY }, { url: "https://u:p@hooks.example.com/x", secret_env: HOOK }] }';
    expect(problems(configYaml(notify)).map((line) => line.replace(/^line \d+, column \d+, /, ''))).toStrictEqual([
      `apps.api.environments.qa.notify.events[0]: expected one of requested, submitted, approved, rejected, scheduled, started, failed, rolled_back, succeeded, accepted, environment_set`,
      'apps.api.environments.qa.notify.email[0]: expected an e-mail address like ops@example.com',
      'apps.api.environments.qa.notify.webhooks[0].url: expected an http(s) URL without user:password',
      'apps.api.environments.qa.notify.webhooks[0].secret_env: names starting with YM_ are reserved for Yardmaster',
      'apps.api.environments.qa.notify.webhooks[1].url: expected an http(s) URL without user:password',
    ]);
    const parsed = parseRepoConfig(
      configYaml(
        'notify: { email: [ops@example.com], slack: [C0OPS], webhooks: [{ url: "https://hooks.example.com/y", secret_env: HOOK }] }',
      ),
    );
    expect(parsed.ok && parsed.value.apps.api?.environments.qa?.notify).toStrictEqual({
      events: [
        'requested',
        'submitted',
        'approved',
        'rejected',
        'scheduled',
        'started',
        'failed',
        'rolled_back',
        'succeeded',
        'accepted',
        'environment_set',
      ],
      email: ['ops@example.com'],
      slack: ['C0OPS'],
      webhooks: [{ url: 'https://hooks.example.com/y', secretEnv: 'HOOK' }],
    });
  });

  it('checks text-message subscriptions: E.164 numbers, a sender Twilio takes, secret names', () => {
    const bad = 'notify: { sms: { to: ["5551234", "+15550001111"], from: "+1 555 765", auth_token_env: YM_TOKEN } }';
    expect(problems(configYaml(bad)).map((line) => line.replace(/^line \d+, column \d+, /, ''))).toStrictEqual([
      'apps.api.environments.qa.notify.sms.to[0]: expected a phone number in E.164 form, like "+15551234567"',
      'apps.api.environments.qa.notify.sms.from: expected "+15557654321", an alphanumeric sender id of at most 11 letters and digits, or a Messaging Service SID "MG…"',
      'apps.api.environments.qa.notify.sms.auth_token_env: names starting with YM_ are reserved for Yardmaster',
    ]);
    expect(problems(configYaml('notify: { sms: { to: [], from: OPS } }'))).toStrictEqual([
      'line 5, column 44, apps.api.environments.qa.notify.sms.to: expected at least one phone number',
    ]);
    const parsed = parseRepoConfig(
      configYaml('notify: { sms: { to: ["+15550001111", "+15550001111"], from: Yardmaster } }'),
    );
    expect(parsed.ok && parsed.value.apps.api?.environments.qa?.notify?.sms).toStrictEqual({
      to: ['+15550001111'],
      from: 'Yardmaster',
      accountSidEnv: 'TWILIO_ACCOUNT_SID',
      authTokenEnv: 'TWILIO_AUTH_TOKEN',
    });
  });

  it('checks Slack channel ids, for the repo and per environment', () => {
    expect(problems(`${configYaml('slack_channel: "#ops"')}\nslack: { channel: general }`)).toStrictEqual([
      'line 5, column 27, apps.api.environments.qa.slack_channel: expected a Slack channel id like C0123ABCD',
      'line 8, column 10, slack.channel: expected a Slack channel id like C0123ABCD',
    ]);
    const parsed = parseRepoConfig(
      `${configYaml('slack_channel: C0QA')}\nslack: { channel: C0ALL, users: { octocat: U0123 } }`,
    );
    expect(parsed.ok && parsed.value.apps.api?.environments.qa?.slackChannel).toBe('C0QA');
    expect(parsed.ok && parsed.value.slack).toStrictEqual({ channel: 'C0ALL', users: { octocat: 'U0123' } });
  });

  it('checks the Slack workspace id that /yardmaster status answers in', () => {
    expect(problems(`${configYaml('')}\nslack: { team: acme }`)).toStrictEqual([
      'line 8, column 10, slack.team: expected a Slack workspace id like T0123ABCD',
    ]);
    const parsed = parseRepoConfig(`${configYaml('')}\nslack: { team: T0ACME, channel: C0ALL }`);
    expect(parsed.ok && parsed.value.slack).toStrictEqual({ team: 'T0ACME', channel: 'C0ALL', users: {} });
  });
});

describe('config validation: documents', () => {
  it('says an empty or non-map config is wrong', () => {
    expect(problems('')).toStrictEqual([
      'line 1, column 1: the document is empty; expected a Yardmaster config: a map with apps, hosts and roles',
    ]);
    expect(problems('- apps')).toStrictEqual([
      'line 1, column 1: expected a Yardmaster config: a map with apps, hosts and roles',
    ]);
  });

  it('refuses __proto__ as an app or variable name', () => {
    expect(problems(configYaml('env: { __proto__: x }'))).toStrictEqual([
      'line 5, column 34, apps.api.environments.qa.env.__proto__: __proto__ cannot be used as a key',
    ]);
  });

  it('reports YAML syntax errors with positions', () => {
    expect(problems('apps:\n\tapi: {}\n')[0]).toMatch(/^line 2, column \d+: /);
  });
});
