/**
 * Test helper: records every notification a client receives and waits for the ones a test needs.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

/** One notification as it arrived. */
export interface ReceivedNotification {
  readonly method: string;
  // deno-lint-ignore no-explicit-any
  readonly params?: any;
  /** `Date.now()` on arrival. */
  readonly at: number;
  /** Its position in the log: pass `index + 1` to `waitFor` to wait for a later one. */
  readonly index: number;
}

/** Everything `client` was notified of since construction, in order. */
export class NotificationLog {
  readonly received: ReceivedNotification[] = [];
  #waiters = new Set<() => void>();

  constructor(client: Client) {
    // Only notifications no other handler claims arrive here, which is all of them for a bare client.
    client.fallbackNotificationHandler = (notification) => {
      this.received.push({ ...notification, at: Date.now(), index: this.received.length });
      for (const wake of this.#waiters) wake();
      return Promise.resolve();
    };
  }

  /** Notifications with `method` (and matching `predicate`, if given). */
  of(
    method: string,
    predicate: (n: ReceivedNotification) => boolean = () => true,
  ): ReceivedNotification[] {
    return this.received.filter((n) => n.method === method && predicate(n));
  }

  /** The position the next notification will take: a starting point for `waitFor`. */
  mark(): number {
    return this.received.length;
  }

  /**
   * Waits for the first notification at position `from` or later (from `mark()`, or an earlier
   * notification's `index + 1`) with `method` and matching `predicate`; returns it. Ones that
   * arrived before `from` never count, so a test sees the update that its own action caused.
   */
  async waitFor(
    from: number,
    method: string,
    predicate: (n: ReceivedNotification) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<ReceivedNotification> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.received.slice(from).find((n) => n.method === method && predicate(n));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.received.slice(from).map((n) => n.method).join(", ");
        throw new Error(
          `No matching ${method} notification from position ${from} within ${timeoutMs} ms ` +
            `(seen since: ${seen})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.#waiters;
        waiters.add(done);
      });
    }
  }
}
