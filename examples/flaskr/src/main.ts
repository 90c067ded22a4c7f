/** Starts Flaskr's development server: `npm start` (PORT picks the port, default 5000). */
import { createApp } from './app.js';
import { getDb } from './db.js';

const app = createApp();
// The tutorial runs `flask init-db` once; creating missing tables at start keeps the first run one command.
await app.appContext(() => getDb().db.createAll());
app.run({ port: Number(process.env.PORT ?? 5000) });
