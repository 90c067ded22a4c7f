/** Serves the dashboard: `npm start -w examples/dashboard`, then open http://127.0.0.1:5000. */
import { createApp } from './app.js';

await createApp().run({ port: Number(process.env.PORT ?? 5000) });
