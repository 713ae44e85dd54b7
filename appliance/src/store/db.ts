/**
 * Opens the appliance's LMDB environment and its keyspaces, and brings the
 * schema up to date. Every keyspace is a named sub-database with msgpack
 * values; the modules beside this file (users.ts, teams.ts, …) are the only
 * code that reads or writes them. Multi-record changes go through
 * `transactionSync`, which commits durably before it returns, so a process
 * killed with SIGKILL right after a call keeps that change.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { runMigrations } from './migrations.ts';

/** Keyspace names; part of the on-disk format, never rename one. */
export const KEYSPACES = ['meta', 'users', 'usernames', 'teams', 'auth', 'settings', 'sessions', 'chat', 'events', 'starts', 'issues', 'prefs', 'teamchat', 'permissions', 'actions', 'jump', 'apiaccounts', 'webhooks', 'webhookq', 'jumppolicies', 'shellrec', 'buttons', 'vault', 'vaultlog'] as const;
export type KeyspaceName = (typeof KEYSPACES)[number];

export interface Store {
  readonly root: RootDatabase;
  readonly spaces: Record<KeyspaceName, Database<any, string>>;
  /** Runs `fn` in one write transaction, committed and flushed before returning. */
  txSync<T>(fn: () => T): T;
  close(): Promise<void>;
}

/** The environment lives in `<dataDir>/db`; other files (certs, backups) sit beside it. */
export function openStoreSync(dataDir: string): Store {
  const dbDir = path.join(dataDir, 'db');
  mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  const root = open({
    path: dbDir,
    // 32 keyspaces is room for growth; the map grows itself as data grows.
    maxDbs: 32,
    compression: false,
  });
  const spaces = {} as Record<KeyspaceName, Database<any, string>>;
  for (const name of KEYSPACES) spaces[name] = root.openDB<any, string>({ name, encoding: 'msgpack' });
  const store: Store = {
    root,
    spaces,
    txSync: (fn) => root.transactionSync(fn),
    close: () => root.close(),
  };
  runMigrations(store);
  return store;
}
