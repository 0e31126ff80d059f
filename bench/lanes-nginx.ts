/**
 * `bench:lanes` only: nginx (Debian's nginx-light) as the same lane proxy, for comparison — a `map` from the lane
 * header to an upstream, keep-alive to the upstreams, as many workers as the bench runs router processes. Runs from a
 * temporary prefix as a child process; absent when nginx is not installed. The directory lines and the process
 * handling are the nginx data plane's (src/lanes/nginx-config.ts, nginx-process.ts); the routing is kept minimal
 * here on purpose, as the floor a proxy can reach.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NGINX_TEMP_DIRS, nginxMainLines, nginxTempLines } from '../src/lanes/nginx-config.ts';
import { NGINX_BINARY, spawnNginx } from '../src/lanes/nginx-process.ts';

export const NGINX = NGINX_BINARY;

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
  for (const sub of NGINX_TEMP_DIRS) await mkdir(join(dir, sub), { recursive: true });
  const hostPort = (url: string): string => new URL(url).host;
  const config = `${nginxMainLines(dir, workers)}http {
  access_log off;
${nginxTempLines(dir)}  upstream baseline { server ${hostPort(upstreams.baseline)}; keepalive 128; }
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
  const nginx = spawnNginx(NGINX, dir, file);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (nginx.exited()) throw new Error(`nginx exited; see ${join(dir, 'error.log')}`);
    if (
      await fetch(`${url}/svc/`).then(
        (response) => response.ok,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  return { url, pids: () => nginx.pids(), stop: () => nginx.stop() };
}
