/**
 * Whether the screen may have changed since the last look, from the X DAMAGE
 * extension (report level NonEmpty: one event each time the root's damage
 * goes from empty to non-empty). The capture loop skips grabbing and diffing
 * an unchanged screen, which is most of the time on an idle desktop. Without
 * DAMAGE every look counts as changed (the loop then diffs each grab).
 */
import type { XConnection } from './x-display.ts';

const REPORT_NON_EMPTY = 3;

export class DamageWatch {
  private ext: any;
  private id = 0;
  private dirty = true;
  private off: (() => void) | undefined;
  /** Called when the screen goes from unchanged to changed (the capture loop wakes up at once). */
  onDamage: (() => void) | undefined;

  constructor(private readonly conn: XConnection) {}

  async init(): Promise<void> {
    if (this.ext || process.env.RELAYDESK_NO_DAMAGE === '1') return;
    try {
      const ext = await this.conn.ext('damage');
      this.id = this.conn.X.AllocID();
      ext.Create(this.id, this.conn.root, REPORT_NON_EMPTY);
      this.off = this.conn.onEvent((ev) => {
        if (ev.name !== 'DamageNotify' || ev.damage !== this.id) return;
        this.dirty = true;
        this.onDamage?.();
      });
      this.ext = ext;
    } catch {
      this.ext = undefined;
    }
  }

  /** True when something was drawn since the last call (or DAMAGE is missing); clears the damage. */
  take(): boolean {
    if (!this.ext) return true;
    if (!this.dirty) return false;
    this.dirty = false;
    // Subtract before the grab: whatever is drawn after it marks the screen dirty again.
    this.ext.Subtract(this.id, 0, 0);
    return true;
  }

  dispose(): void {
    this.off?.();
    if (this.ext && this.id) this.ext.Destroy(this.id);
    this.ext = undefined;
  }
}
