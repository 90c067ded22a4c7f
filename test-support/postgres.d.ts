/** The folder of `initdb`/`postgres`, or undefined when PostgreSQL is not installed. */
export declare function postgresBin(): string | undefined;
/** True when PostgreSQL tests must run (CI) or can run (installed here). */
export declare const postgresAvailable: boolean;
/** A running server. */
export interface PostgresServer {
  /** `postgresql://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  pid: number;
  /** Stops the server (fast shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder (to test recovery). */
  start(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}
/** Creates a cluster and starts it (about 1-2 s). */
export declare function startPostgres(): Promise<PostgresServer>;
//# sourceMappingURL=postgres.d.ts.map
