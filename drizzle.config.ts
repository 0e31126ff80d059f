/**
 * drizzle-kit settings: `drizzle-kit generate` diffs src/db/schema.ts against migrations/meta and writes the next
 * SQL migration; `drizzle-kit generate --custom --name <name>` adds an empty one for hand-written SQL (triggers).
 * Migrations are applied by the app itself at start (src/db/migrate.ts), never by drizzle-kit push.
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
  strict: true,
  verbose: true,
});
