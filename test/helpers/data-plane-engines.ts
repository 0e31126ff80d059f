/**
 * The data-plane engines to run a test or bench against: every engine Yardmaster has (DATA_PLANE_ENGINES), each with
 * why it is skipped here (its binary is not installed). A new engine is one line in ENGINE_BINARY (the compiler asks
 * for it once the engine joins DataPlaneEngine).
 */
import { existsSync } from 'node:fs';
import type { DataPlaneEngine } from '../../src/lanes/data-plane.ts';
import { HAPROXY_BINARY } from '../../src/lanes/haproxy-process.ts';
import { NGINX_BINARY } from '../../src/lanes/nginx-process.ts';
import { DATA_PLANE_ENGINES } from '../../src/lanes/start-data-plane.ts';

/** The program an engine runs, with the Debian package that brings it; undefined: none (it runs in this process). */
const ENGINE_BINARY: Record<DataPlaneEngine, { path: string; apt: string } | undefined> = {
  node: undefined,
  haproxy: { path: HAPROXY_BINARY, apt: 'haproxy' },
  nginx: { path: NGINX_BINARY, apt: 'nginx-light' },
};

export interface EngineCase {
  engine: DataPlaneEngine;
  /** Why the engine cannot run here, or undefined when it can. */
  skip: string | undefined;
}

export function dataPlaneEngines(): EngineCase[] {
  return DATA_PLANE_ENGINES.map((engine) => {
    const binary = ENGINE_BINARY[engine];
    return {
      engine,
      skip:
        binary === undefined || existsSync(binary.path)
          ? undefined
          : `${binary.path} is not installed (apt-get install ${binary.apt})`,
    };
  });
}
