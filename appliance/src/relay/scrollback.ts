/**
 * A shell's recent output, bounded in bytes: what a console gets replayed
 * when it attaches (after a reload, a second rep joining, or a resync after
 * falling behind). Chunks are copied in (callers may pass uWS buffers that
 * are neutered after their callback) and the oldest bytes are dropped once
 * the total passes the limit. A cut is moved to just after the next line
 * break when there is one nearby, so a replay rarely starts in the middle
 * of an escape sequence or a UTF-8 character.
 */

/** 256 KiB: a few screens of dense output, or thousands of prompt lines; per shell. */
export const SCROLLBACK_BYTES = 256 * 1024;
/** How far past the cut point a line break is looked for: 4 KiB. */
const LINE_SEARCH_BYTES = 4096;

export class Scrollback {
  private chunks: Buffer[] = [];
  private total = 0;

  constructor(readonly limit: number = SCROLLBACK_BYTES) {}

  get size(): number {
    return this.total;
  }

  /** Appends a copy of `data`. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    const copy = Buffer.from(data);
    this.chunks.push(copy);
    this.total += copy.length;
    this.trim();
  }

  private trim(): void {
    while (this.total > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.total - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.total -= first.length;
        continue;
      }
      const nl = first.indexOf(0x0a, excess);
      const cut = nl !== -1 && nl - excess < LINE_SEARCH_BYTES ? nl + 1 : excess;
      this.chunks[0] = first.subarray(cut);
      this.total -= cut;
      if (this.chunks[0].length === 0) this.chunks.shift();
    }
  }

  /** The kept bytes as one buffer (a copy, safe to send). */
  snapshot(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }

  /** The kept bytes in pieces of at most `max` bytes, for frames under a message limit. */
  pieces(max: number): Buffer[] {
    const all = this.snapshot();
    const out: Buffer[] = [];
    for (let at = 0; at < all.length; at += max) out.push(all.subarray(at, at + max));
    return out;
  }
}
