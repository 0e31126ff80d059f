/** The repo config of src/config/README.md, for the config unit tests. */

export const HOST_KEY = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

export const ARCHITECTURE_CONFIG = `apps:
  checkout-api:
    project: shop
    deploy_to: /srv/checkout-api
    environments:
      staging:    { hosts: [staging], approvals: 1, env: { NODE_ENV: staging } }
      production:
        hosts: [canary, web]
        approvals: 2
        approvers: [team:ops]
        freeze: ["Fri 18:00-Mon 06:00"]
        env: { NODE_ENV: production }        # passed to every command
        secret_env: [DATABASE_PASSWORD]      # taken from the server's own environment
hosts:
  canary: [{ name: web-1, address: 10.0.0.11, port: 22, user: deploy, host_key: "${HOST_KEY}" }]
  web:    [{ name: web-2, address: 10.0.0.12 }, { name: web-3, address: 10.0.0.13, deploy_to: /opt/checkout }]
  staging: [{ name: staging-1, address: staging.internal, port: 2222 }]
roles:                        # GitHub logins or team:slug
  project_manager: [octocat]
  developer: [hubot]
  ops: [team:ops]
  deployer: [team:ops]
  acceptor: [octocat]
slack: { channel: C0123, users: { octocat: U0123 } }
`;
