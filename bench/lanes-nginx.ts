/**
 * `bench:lanes` only: nginx (Debian's nginx-light) as the same lane proxy, for comparison — a `map` from the lane
 * header to an upstream, keep-alive to the upstreams, as many workers as the bench runs router processes. Runs from a
 * temporary prefix as a child process; absent when nginx is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const NGINX = '/usr/sbin/nginx';

export interface RunningNginx {
  url: string;
  /** The master's and the workers' process ids (for CPU accounting). */
  pids(): number[];
  stop(): Promise<void>;
}

export async function startNginx(
  dir: string,
  port: number,
  upstreams: { baseline: string; lane: string; laneName: string },
  workers = 1,
): Promise<RunningNginx | undefined> {
  if (!existsSync(NGINX)) return undefined;
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, sub), { recursive: true });
  const hostPort = (url: string): string => new URL(url).host;
  const config = `worker_processes ${workers};
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream baseline { server ${hostPort(upstreams.baseline)}; keepalive 128; }
  upstream lane { server ${hostPort(upstreams.lane)}; keepalive 128; }
  map $http_x_yardmaster_lane $backend { default baseline; ${upstreams.laneName} lane; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location /svc/ {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://$backend/;
    }
  }
}
`;
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', file], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}; see ${join(dir, 'error.log')}`);
    if (
      await fetch(`${url}/svc/`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  return {
    url,
    pids() {
      const master = child.pid;
      if (master === undefined) return [];
      let children: number[] = [];
      try {
        children = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
      } catch {
        // Not Linux: no CPU figures.
      }
      return [master, ...children];
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
