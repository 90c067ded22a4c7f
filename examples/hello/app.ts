import { pathToFileURL } from 'node:url';
import { Phial } from 'phial';

export const app = new Phial(import.meta.url);

app.route('/', () => 'Hello, World!');

// Start the server only when this file is run (`npx tsx app.ts`), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  app.run({ debug: true });
}
