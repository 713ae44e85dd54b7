/**
 * Encodes one shell's output as an asciicast v2 recording
 * (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then
 * one JSON array per event, `[seconds, "o", text]` for output and
 * `[seconds, "r", "COLSxROWS"]` for a resize. Times are seconds since the
 * start, with millisecond precision. Output bytes are decoded as a stream,
 * so a UTF-8 character split across two reads is written whole, once.
 * Keystrokes are not recorded (they may hold passwords; their echo is output).
 */
import { StringDecoder } from 'node:string_decoder';

export interface CastHeader {
  readonly cols: number;
  readonly rows: number;
  /** Start, in ms since the epoch. */
  readonly startedAt: number;
  readonly title: string;
}

export class AsciicastWriter {
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly head: CastHeader) {}

  /** The first line of the file. */
  header(): string {
    const { cols, rows, startedAt, title } = this.head;
    return `${JSON.stringify({ version: 2, width: cols, height: rows, timestamp: Math.floor(startedAt / 1000), title, env: { TERM: 'xterm-256color' } })}\n`;
  }

  private time(at: number): number {
    return Math.max(0, Math.round(at - this.head.startedAt)) / 1000;
  }

  /** The event line for output `data` read at `at` (ms), or '' while a character is incomplete. */
  output(data: Uint8Array, at: number): string {
    const text = this.decoder.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return text ? `${JSON.stringify([this.time(at), 'o', text])}\n` : '';
  }

  resize(cols: number, rows: number, at: number): string {
    return `${JSON.stringify([this.time(at), 'r', `${cols}x${rows}`])}\n`;
  }

  /** Whatever bytes of an incomplete character are left, as replacement output. */
  end(at: number): string {
    const rest = this.decoder.end();
    return rest ? `${JSON.stringify([this.time(at), 'o', rest])}\n` : '';
  }
}

/** A parsed recording (for tests and tools): the header and the events. */
export function parseAsciicast(text: string): { header: Record<string, unknown>; events: Array<[number, string, string]> } {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  return { header, events: lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]) };
}
