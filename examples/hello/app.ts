import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Phial } from 'phial';

export const app = new Phial(import.meta.url);

app.route('/', () => 'Hello, World!');

// Serve only when this file is the program (`npx tsx app.ts`), not when a test imports `app`.
// app.run() listens on PORT (default 5000).
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  app.run({ debug: true });
}
