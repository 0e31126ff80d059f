/**
 * The seam between the server and the GitHub adapter: the Probot app function built from the process's
 * dependencies (`createYardmasterApp(deps)` of src/app.ts).
 */
import type { ApplicationFunction } from 'probot';
import { createYardmasterApp } from '../app.ts';
import type { AppDeps } from '../github/app-deps.ts';

/** The app function for `deps`. */
export function appFunction(deps: AppDeps): ApplicationFunction {
  return createYardmasterApp(deps);
}
