/**
 * The chat load, independent of what carries it: N pairs of endpoints (a
 * customer and a rep), each side sending M messages to the other with at
 * most W of its own in flight. A body is `<pair>:<side>:<n>`; the receiver
 * looks up its send time for the end-to-end latency. Bounded by count
 * (2·N·M messages) and by `capMs`; what did not arrive by then is reported.
 */
export interface Endpoint {
  send(body: string): void;
  /** Registers the handler for bodies sent by the other side of the pair. */
  onBody(cb: (body: string) => void): void;
}

export interface ChatPair {
  readonly customer: Endpoint;
  readonly rep: Endpoint;
}

export interface ChatFigures {
  readonly expected: number;
  readonly delivered: number;
  readonly elapsedMs: number;
  /** End-to-end latencies in milliseconds. */
  readonly latencies: number[];
}

export function runChatLoad(pairs: readonly ChatPair[], perSide: number, window: number, capMs: number): Promise<ChatFigures> {
  const expected = pairs.length * 2 * perSide;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(cap);
      resolve({ expected, delivered: latencies.length, elapsedMs: performance.now() - started, latencies });
    };
    const cap = setTimeout(finish, capMs);
    pairs.forEach((pair, p) => {
      const sides = [pair.customer, pair.rep] as const;
      sides.forEach((from, s) => {
        const to = sides[1 - s]!;
        let sent = 0;
        let arrived = 0;
        const pump = (): void => {
          while (sent < perSide && sent - arrived < window) {
            const body = `${p}:${s}:${sent++}`;
            sentAt.set(body, performance.now());
            from.send(body);
          }
        };
        to.onBody((body) => {
          const at = sentAt.get(body);
          if (at === undefined) return;
          sentAt.delete(body);
          latencies.push(performance.now() - at);
          arrived++;
          if (latencies.length === expected) finish();
          else pump();
        });
        pump();
      });
    });
  });
}
