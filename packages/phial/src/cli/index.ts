/** The `phial` command line, for embedding and tests (`bin.ts` is the executable). */
export {
  DEFAULT_APP_FILES,
  findBestApp,
  isPhialApp,
  type LoadedApp,
  locateApp,
  NoAppException,
  parseAppSpec,
  resolveAppFile,
} from './discovery.js';
export { loadDotenv } from './dotenv.js';
export { ExitSignal, type Reexec, type RunCliOptions, runCli, scanGlobalArgs } from './program.js';
export { formatRoutes, type RouteSort } from './routes.js';
export type { CliIO } from './server.js';
