/** Keyspace `settings`: one record per settings group, created by the migrations. */
import type { Store } from './db.ts';

export interface SecuritySettings {
  /** F2: the web console accepts sign-ins only while this is on. Off on a fresh install. */
  allowWebConsole: boolean;
}

export interface SessionSettings {
  /** How long a rep's console may be away before their sessions return to a queue. */
  repGraceSeconds: number;
}

export interface RecordingSettings {
  /** F23: store a recording and a transcript of every command shell with its session. Off unless an admin turns it on. */
  recordShells: boolean;
}

export type SmtpSecurity = 'none' | 'starttls' | 'tls';

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  /** Stored as given; never sent back to the browser. */
  password: string;
  from: string;
  /** Extra CA (PEM) to trust for the mail server's certificate, for in-house mail servers. */
  caPem: string;
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

  sessions(): SessionSettings {
    return (this.store.spaces.settings.get('sessions') as SessionSettings | undefined) ?? { repGraceSeconds: 60 };
  }

  setSessionsSync(next: SessionSettings): SessionSettings {
    this.store.txSync(() => this.store.spaces.settings.putSync('sessions', next));
    return next;
  }

  recording(): RecordingSettings {
    return (this.store.spaces.settings.get('recording') as RecordingSettings | undefined) ?? { recordShells: false };
  }

  setRecordingSync(next: RecordingSettings): RecordingSettings {
    this.store.txSync(() => this.store.spaces.settings.putSync('recording', next));
    return next;
  }

  smtp(): SmtpSettings | null {
    return (this.store.spaces.settings.get('smtp') as SmtpSettings | null | undefined) ?? null;
  }

  setSmtpSync(next: SmtpSettings | null): void {
    this.store.txSync(() => this.store.spaces.settings.putSync('smtp', next));
  }
}
