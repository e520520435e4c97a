import { newIdempotencyKey } from './api';

/**
 * Idempotency keys for one form or action: sending the same body again (a retry after a network
 * error or a double click) reuses the key, so the server applies it once; a different body, or a
 * new attempt after a success, gets a fresh key.
 */
export class IdempotencyKeys {
  #last: { key: string; body: string } | undefined;

  constructor(private readonly newKey: () => string = newIdempotencyKey) {}

  /** The key to send with this body (`scope` separates different actions, e.g. per client id). */
  keyFor(body: unknown, scope = ''): string {
    const serialised = `${scope}\u0000${JSON.stringify(body ?? null)}`;
    if (this.#last?.body !== serialised) this.#last = { key: this.newKey(), body: serialised };
    return this.#last.key;
  }

  /** Call after a success: the next submission, even with the same body, is a new action. */
  done(): void {
    this.#last = undefined;
  }
}
