/** Keyspace `settings`: one record per settings group, created by the migrations. */
import type { Store } from './db.ts';

export interface SecuritySettings {
  /** F2: the web console accepts sign-ins only while this is on. Off on a fresh install. */
  allowWebConsole: boolean;
}

export class SettingsStore {
  constructor(private readonly store: Store) {}

  security(): SecuritySettings {
    return (this.store.spaces.settings.get('security') as SecuritySettings | undefined) ?? { allowWebConsole: false };
  }

  setSecuritySync(next: SecuritySettings): SecuritySettings {
    this.store.txSync(() => this.store.spaces.settings.putSync('security', next));
    return next;
  }
}
