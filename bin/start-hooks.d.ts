/** Installs the module resolution hooks that shorten the start of the CLI and the server (start-hooks.js). */
export function installStartHooks(): void;
