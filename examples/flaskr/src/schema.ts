/**
 * Flaskr's tables (the tutorial's `schema.sql`) as Drizzle schemas, one per dialect: SQLite by default,
 * PostgreSQL when DATABASE_URL names one. The queries in `db.ts` are plain SQL that both understand.
 */
import * as pg from 'drizzle-orm/pg-core';
import * as lite from 'drizzle-orm/sqlite-core';

const liteUser = lite.sqliteTable('user', {
  id: lite.integer('id').primaryKey({ autoIncrement: true }),
  username: lite.text('username').notNull().unique(),
  email: lite.text('email'),
  password: lite.text('password').notNull(),
});

/** SQLite: `created` is ISO-8601 text. */
export const sqliteSchema = {
  user: liteUser,
  post: lite.sqliteTable('post', {
    id: lite.integer('id').primaryKey({ autoIncrement: true }),
    authorId: lite
      .integer('author_id')
      .notNull()
      .references(() => liteUser.id),
    created: lite.text('created').notNull(),
    title: lite.text('title').notNull(),
    body: lite.text('body').notNull(),
  }),
};

const pgUser = pg.pgTable('user', {
  id: pg.serial('id').primaryKey(),
  username: pg.text('username').notNull().unique(),
  email: pg.text('email'),
  password: pg.text('password').notNull(),
});

/** PostgreSQL. */
export const pgSchema = {
  user: pgUser,
  post: pg.pgTable('post', {
    id: pg.serial('id').primaryKey(),
    authorId: pg
      .integer('author_id')
      .notNull()
      .references(() => pgUser.id),
    created: pg.timestamp('created', { withTimezone: true }).notNull(),
    title: pg.text('title').notNull(),
    body: pg.text('body').notNull(),
  }),
};
