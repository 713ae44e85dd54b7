/**
 * Records one command shell while "record command shells" is on: its output
 * and resizes as asciicast v2 and as a plain-text transcript, both appended
 * to the session's keyspace (store/shell-recordings.ts).
 *
 * Text is gathered in memory and written out every FLUSH_MS or once
 * FLUSH_BYTES are pending, so a burst of output costs a few writes, and
 * memory stays bounded by FLUSH_BYTES plus one screen (transcript). A
 * recording stops growing at MAX_CAST_BYTES (a runaway `cat` must not fill
 * the appliance's disk), and so does the transcript; the meta record then
 * says `truncated`.
 */
import { AsciicastWriter } from './asciicast.ts';
import { Transcript } from './transcript.ts';
import type { RecordingMeta, ShellRecordingStore } from '../store/shell-recordings.ts';

/** Pending text is written at least once a second… */
export const FLUSH_MS = 1000;
/** …or as soon as 256 KiB are pending. */
export const FLUSH_BYTES = 256 * 1024;
/** 64 MiB of asciicast per shell, then the recording stops (marked truncated). */
export const MAX_CAST_BYTES = 64 * 1024 * 1024;

export interface RecorderStart {
  sessionId: string;
  shellId: string;
  title: string;
  openedBy: string;
  members: string[];
  cols: number;
  rows: number;
  startedAt: number;
}

export class ShellRecorder {
  private readonly cast: AsciicastWriter;
  private readonly transcript: Transcript;
  private readonly meta: RecordingMeta;
  private castPending = '';
  private textPending = '';
  private castSeq = 0;
  private textSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: ShellRecordingStore,
    start: RecorderStart,
    private readonly now: () => number = Date.now,
    private readonly maxCastBytes = MAX_CAST_BYTES,
  ) {
    this.meta = { sessionId: start.sessionId, shellId: start.shellId, title: start.title, openedBy: start.openedBy, members: [...start.members], startedAt: start.startedAt, endedAt: null, castBytes: 0, textBytes: 0, truncated: false };
    this.cast = new AsciicastWriter({ cols: start.cols, rows: start.rows, startedAt: start.startedAt, title: start.title });
    this.transcript = new Transcript(start.cols, start.rows, (line) => this.addText(`${line}\n`));
    this.addCast(this.cast.header());
    this.flush();
  }

  /** A rep who attached later may open the recording too. */
  addMember(userId: string): void {
    if (this.meta.members.includes(userId)) return;
    this.meta.members.push(userId);
    this.schedule();
  }

  output(data: Uint8Array): void {
    if (this.stopped) return;
    this.addCast(this.cast.output(data, this.now()));
    this.transcript.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.stopped) return;
    this.addCast(this.cast.resize(cols, rows, this.now()));
    this.transcript.resize(cols, rows);
  }

  private addCast(text: string): void {
    if (!text || this.meta.truncated) return;
    if (this.meta.castBytes + this.castPending.length + text.length > this.maxCastBytes) {
      this.meta.truncated = true;
      return;
    }
    this.castPending += text;
    this.schedule();
  }

  private addText(text: string): void {
    if (this.meta.textBytes + this.textPending.length + text.length > this.maxCastBytes) {
      this.meta.truncated = true;
      return;
    }
    this.textPending += text;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped && this.meta.endedAt !== null) return;
    if (this.castPending.length + this.textPending.length >= FLUSH_BYTES) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { sessionId, shellId } = this.meta;
    const puts: Promise<unknown>[] = [];
    if (this.castPending) {
      puts.push(this.store.append('c', sessionId, shellId, this.castSeq++, this.castPending));
      this.meta.castBytes += Buffer.byteLength(this.castPending);
      this.castPending = '';
    }
    if (this.textPending) {
      puts.push(this.store.append('t', sessionId, shellId, this.textSeq++, this.textPending));
      this.meta.textBytes += Buffer.byteLength(this.textPending);
      this.textPending = '';
    }
    puts.push(this.store.putMeta({ ...this.meta }));
    this.writes = Promise.all([this.writes, ...puts]);
  }

  /** The shell ended: writes the rest and the end time; resolves when stored. */
  async stop(): Promise<void> {
    if (this.stopped) return this.writes.then(() => undefined);
    this.stopped = true;
    const at = this.now();
    this.addCast(this.cast.end(at));
    await this.transcript.finish();
    this.meta.endedAt = at;
    this.flush();
    await this.writes;
  }
}
