/**
 * Forward-only schema migrations. `meta:schemaVersion` records the newest one
 * applied; each migration runs in its own transaction together with the bump
 * of that number, so a crash leaves the store either before or after it.
 * Add new steps at the end; never edit a released one.
 */
import { DEFAULT_USER_PERMISSIONS } from '../../../common/permissions.ts';
import { BUILT_IN_ACTIONS } from '../../../common/special-actions.ts';
import { newId } from './ids.ts';
import type { Store } from './db.ts';

export interface Migration {
  readonly version: number;
  readonly what: string;
  up(store: Store): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'default security settings',
    up(store) {
      // Web console connections are refused until an administrator allows them (F2).
      store.spaces.settings.putSync('security', { allowWebConsole: false });
    },
  },
  {
    version: 2,
    what: 'support sessions: rep grace period and empty mail settings',
    up(store) {
      // A rep's console may be away 60 s (a reload, a network blip) before their sessions go back to a queue.
      store.spaces.settings.putSync('sessions', { repGraceSeconds: 60 });
      store.spaces.settings.putSync('smtp', null);
    },
  },
  {
    version: 3,
    what: 'rep permissions: every existing user gets the default grant',
    up(store) {
      // Users keep what they could do before permissions existed; teams grant nothing until an administrator says so.
      for (const { key } of store.spaces.users.getRange()) {
        if (store.spaces.permissions.get(`user:${key}`) === undefined) store.spaces.permissions.putSync(`user:${key}`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [] });
      }
    },
  },
  {
    version: 4,
    what: 'special actions: predefined reboot and shut down',
    up(store) {
      for (const a of BUILT_IN_ACTIONS) {
        const id = newId();
        store.spaces.actions.putSync(id, { ...a, id, createdAt: Date.now() });
      }
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersionOf(store: Store): number {
  return (store.spaces.meta.get('schemaVersion') as number | undefined) ?? 0;
}

/** Applies every migration newer than the stored version; refuses a store newer than this code. */
export function runMigrations(store: Store, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersionOf(store);
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > newest) {
    throw new Error(`the data folder has schema version ${current}, newer than this appliance knows (${newest}); upgrade the appliance`);
  }
  let applied = 0;
  for (const m of migrations) {
    if (m.version <= current) continue;
    store.txSync(() => {
      m.up(store);
      store.spaces.meta.putSync('schemaVersion', m.version);
    });
    applied++;
  }
  return applied;
}
