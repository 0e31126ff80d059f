// zod's locales as the CLI and the server load them: English only, the one zod uses by default (see start-hooks.js).
export { default as en } from 'zod/v4/locales/en.js';
