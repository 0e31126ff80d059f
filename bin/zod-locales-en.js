// zod's locales as the CLI loads them: English only, the one zod uses by default (see yardmaster.js).
export { default as en } from 'zod/v4/locales/en.js';
