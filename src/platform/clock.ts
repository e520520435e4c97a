/** The platform's source of "now". Production reads the system clock; tests and demos set it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance; without a set time it follows the system clock plus an offset. */
export class SettableClock implements Clock {
  #offsetMs = 0;
  #frozenAt: number | undefined;
  constructor(initial?: Date | string) {
    if (initial !== undefined) this.set(initial);
  }
  now(): Date {
    return new Date(this.#frozenAt ?? Date.now() + this.#offsetMs);
  }
  /** Freezes the clock at the given instant. */
  set(instant: Date | string): void {
    this.#frozenAt = new Date(instant).getTime();
  }
  /** Lets time run again from the current reading, shifted from the system clock. */
  run(): void {
    if (this.#frozenAt !== undefined) this.#offsetMs = this.#frozenAt - Date.now();
    this.#frozenAt = undefined;
  }
  advance(milliseconds: number): void {
    if (this.#frozenAt !== undefined) this.#frozenAt += milliseconds;
    else this.#offsetMs += milliseconds;
  }
}
