import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -- --name <change>` writes the next migration; the app applies them at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/infra/database/schema.ts',
  out: './src/infra/database/migrations',
});
