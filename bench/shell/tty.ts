// Terminal helpers shared by the shell benchmarks (bench/shell, bench/shell-jump):
// a byte pipe both ways, waiting for output, and timed keystroke round trips.

/** Anything that carries terminal bytes both ways: an appliance channel, a local pty, an SSH channel. */
export interface Tty {
  write(data: string): void;
  onData(fn: (chunk: Buffer) => void): void;
  close(): void;
}

/** Waits until `pred` holds on what arrived, or fails after `ms`. */
export function waitFor(tty: Tty, pred: (all: string) => boolean, ms: number, what: string): Promise<void> {
  let all = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing in ${ms} ms`)), ms);
    tty.onData((c) => {
      all += c.toString('latin1');
      if (all.length > 64 * 1024) all = all.slice(-32 * 1024);
      if (pred(all)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/**
 * Keystroke round trips into a program that echoes each byte once (`cat`
 * with the terminal raw): `count` bytes, one after the other, each timed from
 * write to its echo; a byte not back within `timeoutMs` fails. Returns the
 * times in ms, in typing order.
 */
export async function keystrokeEchoes(tty: Tty, count: number, timeoutMs: number): Promise<number[]> {
  let waiting: { byte: number; resolve: () => void } | undefined;
  tty.onData((c) => {
    if (waiting && c.includes(waiting.byte)) {
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const byte = 97 + (i % 26);
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`keystroke ${i} never echoed`)), timeoutMs);
      waiting = { byte, resolve: () => (clearTimeout(timer), resolve()) };
      tty.write(String.fromCharCode(byte));
    });
    samples.push(performance.now() - t0);
  }
  return samples;
}
