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
}

/** Everything `client` was notified of since construction, in order. */
export class NotificationLog {
  readonly received: ReceivedNotification[] = [];
  #waiters = new Set<() => void>();

  constructor(client: Client) {
    // Only notifications no other handler claims arrive here, which is all of them for a bare client.
    client.fallbackNotificationHandler = (notification) => {
      this.received.push({ ...notification, at: Date.now() });
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

  /** Waits until a notification with `method` matching `predicate` has arrived; returns it. */
  async waitFor(
    method: string,
    predicate: (n: ReceivedNotification) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<ReceivedNotification> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.of(method, predicate)[0];
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.received.map((n) => n.method).join(", ");
        throw new Error(`No ${method} notification within ${timeoutMs} ms (seen: ${seen})`);
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
