/** Starts Flaskr's development server: `npm start` (PORT picks the port, default 5000). */
import { createApp } from './app.js';

createApp().run({ port: Number(process.env.PORT ?? 5000) });
