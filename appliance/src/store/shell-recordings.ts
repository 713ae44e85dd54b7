/**
 * Keyspace `shellrec`: command-shell recordings kept with their session
 * (F23): per shell an asciicast v2 file and a plain-text transcript, stored
 * as ordered chunks so a long recording is appended without rewriting, and
 * read back as a stream of chunks.
 *
 *   m/<sessionId>/<shellId>               → RecordingMeta
 *   c/<sessionId>/<shellId>/<seq, 8 digits> → asciicast text chunk
 *   t/<sessionId>/<shellId>/<seq, 8 digits> → transcript text chunk
 *
 * Appends are asynchronous (lmdb-js batches them into few commits); the
 * meta record is rewritten with each flush, so after a crash it says how
 * much was stored.
 */
import type { Store } from './db.ts';

export interface RecordingMeta {
  sessionId: string;
  shellId: string;
  /** "Shell 2" etc., as the console tab was called. */
  title: string;
  /** Display name of the rep who opened the shell. */
  openedBy: string;
  /** User ids of the session's members while it ran: who may open the recording after the session ended. */
  members: string[];
  startedAt: number;
  endedAt: number | null;
  castBytes: number;
  textBytes: number;
  /** The recording hit its size limit and stopped before the shell ended. */
  truncated: boolean;
}

type Part = 'c' | 't';

const seq = (n: number): string => String(n).padStart(8, '0');

export class ShellRecordingStore {
  constructor(private readonly store: Store) {}

  private get space() {
    return this.store.spaces.shellrec;
  }

  putMeta(meta: RecordingMeta): Promise<boolean> {
    return this.space.put(`m/${meta.sessionId}/${meta.shellId}`, meta);
  }

  append(part: Part, sessionId: string, shellId: string, n: number, text: string): Promise<boolean> {
    return this.space.put(`${part}/${sessionId}/${shellId}/${seq(n)}`, text);
  }

  meta(sessionId: string, shellId: string): RecordingMeta | undefined {
    return this.space.get(`m/${sessionId}/${shellId}`) as RecordingMeta | undefined;
  }

  /** The session's recordings, oldest first. */
  list(sessionId: string): RecordingMeta[] {
    const out: RecordingMeta[] = [];
    for (const { value } of this.space.getRange({ start: `m/${sessionId}/`, end: `m/${sessionId}/~` })) out.push(value as RecordingMeta);
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** The chunks of a recording's cast or transcript, in order (lazily read). */
  *chunks(part: Part, sessionId: string, shellId: string): Generator<string> {
    const prefix = `${part}/${sessionId}/${shellId}/`;
    for (const { value } of this.space.getRange({ start: prefix, end: `${prefix}~` })) yield value as string;
  }
}
