/**
 * The usage text of every command, apart from the commands themselves: `yardmaster <command> --help`, `yardmaster
 * help` and the dispatcher print them without loading a command's module (and its database, SSH or GitHub stack).
 * Nothing here imports anything.
 */

export const TESTDRIVE_USAGE =
  'usage: yardmaster testdrive [--local] [--json]      release a sample app to three local hosts';

export const VALIDATE_USAGE = 'usage: yardmaster validate [--config <file>] <plan>';

export const CONFIG_USAGE = [
  'usage: yardmaster config check <file> [--against <older file>]',
  '       validates a repo config as the server does (exit 0 valid, 2 not: each problem with its line and field);',
  '       --against: also what the change from the older file does (apps, environments, hosts, roles, approvals, ...)',
].join('\n');

export const DEPLOY_USAGE = `usage: yardmaster deploy --config <file> [--identity <key>] [--user <login>] [--force] [--break-lock]
                         [--accept-new-host-keys] [--json] [--work-order <id>] [--ignore-schedule] <plan>
       yardmaster retry  --config <file> [same options] <plan>     re-run only the hosts that failed last time`;

export const ROLLBACK_USAGE =
  'usage: yardmaster rollback --config <file> --app <app> --env <environment> [--to <version>] [--identity <key>] [--json]';

export const RELEASES_USAGE =
  'usage: yardmaster releases --config <file> --app <app> --env <environment> [--identity <key>] [--json]';

export const HOSTS_USAGE = [
  'usage: yardmaster hosts scan --config <file> [--group <name>] [--write] [--replace <host>]... [--json]',
  '       each host key from the SSH key exchange alone (no login) against its pin: new, same, DIFFERENT, unreachable;',
  "       --write adds the missing pins, --replace <host> that host's differing one (exit 1: DIFFERENT left or unreachable)",
].join('\n');

export const AUDIT_USAGE =
  'usage: yardmaster audit verify [--head <id>:<hash>]... [--database-url <url>] [--data-dir <dir>] [--json]   (exit 0 intact, 1 broken, 2 cannot check)';

export const DASHBOARD_USAGE =
  'usage: yardmaster dashboard [--port <n>] [--database-url <url>] [--data-dir <dir>]   (on 127.0.0.1, default port 3100; prints a one-time sign-in link; Ctrl-C stops)';

export const SECRETS_USAGE = [
  'usage: yardmaster secrets set --repo <owner/name> --env <environment> NAME   (value from stdin; needs YARDMASTER_SECRETS_KEY)',
  '       yardmaster secrets list --repo <owner/name> [--env <environment>] [--json]',
  '       yardmaster secrets delete --repo <owner/name> --env <environment> NAME',
  '       (each also takes --database-url <url> / --data-dir <dir>; exit 0 done, 1 no such secret, 2 invalid input)',
].join('\n');

export const WORKER_USAGE =
  'usage: yardmaster worker [--concurrency <n>]   (needs DATABASE_URL; SSH identity and YARDMASTER_* from the environment; stops on SIGTERM)';

export const LANES_USAGE = `usage: yardmaster lanes up <spec.yml> | down <lane> | list | baseline <service> <version>
                        | add <service> <version> <endpoint> [--baseline] | remove <service> <version>
                        | replace <service> <version> --digest <sha256> [--drain-ms 2000] [--url <package>]
                        | edit <service> <version> [--description <text>] [--owner <who>] [--label key=value]…
                               [--unlabel key]… [--baseline | --no-baseline]
                        | serve [--port 8088] [--api-port 8089] [--host 127.0.0.1] [--domain <d>]
                              [--data-plane node|haproxy|nginx] [--haproxy-socket <path>]
                        | haproxy-config [--port 8088] [--host 127.0.0.1] [--domain <d>] [--haproxy-socket <path>]
                              [--map-dir <dir>]   (prints the config for an HAProxy that serve --haproxy-socket drives)
                        | catalog list | catalog set <service> <entry.yml> | catalog remove <service>
                        | export --format gateway-api --gateway [<namespace>/]<name> [--namespace <ns>] [--domain <d>]
                            [--backend-name '{service}-{version}'] [--unavailable-service yardmaster-unavailable]
                            [--output <file>]
       [--database-url <url>] [--catalog <file>] [--router-url <url>] [--json]   (serve: YARDMASTER_LANES_TOKEN)
  export writes the route table as Gateway API HTTPRoutes (the kubernetes data plane): one per service, a rule per
  lane matching the x-yardmaster-lane header exactly, the baseline rule last; backends are the Services named by
  --backend-name (lower case, . and _ as -) on the instance endpoint's port. What HTTPRoute cannot express (lanes in
  baggage, repeated lane headers, the hop guard, strict 503 only through a Service without endpoints) is listed in
  the output's comments and on stderr. See docs/lanes.md, "Data planes".`;
