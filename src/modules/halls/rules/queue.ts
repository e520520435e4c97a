/**
 * The one fair queue of a hall (POL-13, POL-19, POL-15): walk-ins, appointments and priority
 * visitors share one order, by a key fixed when the ticket is issued:
 *
 *   queue key = the time the ticket counts from − the priority advance (priority visitors only)
 *
 * A walk-in counts from the moment it is issued; an appointment from its booked slot start when
 * the resident arrives within the early/late window, otherwise it is a walk-in. Because every key
 * is fixed and a new ticket's key is never earlier than "now − advance", a ticket with key k has
 * only finitely many tickets ahead of it and none can be added once the clock passes k + advance:
 * nobody waits forever, priority visitors jump at most `advance` minutes, and everyone else is
 * overtaken only by priority visitors who arrived less than `advance` minutes after them.
 */
export type Priority = 'elderly' | 'disabled' | 'pregnant' | 'other';
export const PRIORITIES: readonly Priority[] = ['elderly', 'disabled', 'pregnant', 'other'];

/** Whole years of age on a civil date ('YYYY-MM-DD'); someone born on 29 February turns a year older on 1 March. */
export function ageOn(birthDate: string, today: string): number {
  // Both are 'YYYY-MM-DD': month and day compare as text (every ticket asks, so no splitting).
  const age = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? age - 1 : age;
}

/**
 * The priority of a visitor: what the lobby officer recorded (disabled, pregnant, other) wins;
 * otherwise residents aged `elderlyAge` or more on the day (birth date from the identity number)
 * are elderly; everyone else has none.
 */
export function priorityFor(input: { birthDate: string | undefined; today: string; elderlyAge: number; declared?: Priority | undefined }): Priority | null {
  if (input.declared) return input.declared;
  if (input.birthDate && ageOn(input.birthDate, input.today) >= input.elderlyAge) return 'elderly';
  return null;
}

/** The queue key: the time the ticket counts from, moved earlier by the advance for priority visitors. */
export function queueKey(queuedAt: Date, priority: Priority | null, advanceMinutes: number): Date {
  return priority ? new Date(queuedAt.getTime() - advanceMinutes * 60_000) : queuedAt;
}

export type Arrival = 'too_early' | 'in_window' | 'too_late';

/** Whether an appointment holder arriving now may count from the slot start (early/late window in minutes). */
export function appointmentArrival(slotStart: Date, now: Date, earlyMinutes: number, lateMinutes: number): Arrival {
  const offset = now.getTime() - slotStart.getTime();
  if (offset < -earlyMinutes * 60_000) return 'too_early';
  if (offset > lateMinutes * 60_000) return 'too_late';
  return 'in_window';
}

/** When a ticket counts from: the slot start for an appointment used within its window, else the issue time. */
export function queuedAtFor(now: Date, appointment: { slotStart: Date; arrival: Arrival } | undefined): Date {
  return appointment && appointment.arrival === 'in_window' ? appointment.slotStart : now;
}

/** Orders waiting tickets as the windows call them: by queue key, then by number (issue order). */
export function compareQueue(a: { queueKey: Date; seq: number }, b: { queueKey: Date; seq: number }): number {
  return a.queueKey.getTime() - b.queueKey.getTime() || a.seq - b.seq;
}

/** Observed service times of a hall, in minutes (quartiles of called → finished). */
export interface ServiceTimes {
  p25: number;
  p50: number;
  p75: number;
  samples: number;
}

/** Service times when too few tickets were finished to trust them: the catalogue's minutes, ±50 %. */
export function fallbackServiceTimes(windowMinutes: number): ServiceTimes {
  return { p25: windowMinutes * 0.5, p50: windowMinutes, p75: windowMinutes * 1.5, samples: 0 };
}

export interface WaitEstimate {
  /** The central estimate, in whole minutes (api-contract.md `estimatedWaitMinutes`). */
  minutes: number;
  low: number;
  high: number;
}

/**
 * Estimated wait as a range (docs/modules/halls.md, "Waiting-time estimate"): `ahead` tickets
 * are served by `windows` windows in parallel, each taking the observed quartile times; the high
 * end also covers the tickets at the windows now.
 *   low = ahead × p25 / windows,  estimate = (ahead + ½·windows) × p50 / windows,
 *   high = (ahead + windows) × p75 / windows.
 */
export function estimateWait(ahead: number, windows: number, times: ServiceTimes): WaitEstimate {
  const servers = Math.max(1, windows);
  const low = Math.floor((ahead * times.p25) / servers);
  const minutes = Math.round(((ahead + servers / 2) * times.p50) / servers);
  const high = Math.max(low, Math.ceil(((ahead + servers) * times.p75) / servers));
  return { minutes: Math.min(Math.max(minutes, low), high), low, high };
}

/** Quartiles (nearest rank) of service times in minutes; undefined below the minimum sample count. */
export function serviceTimesFrom(minutes: number[], minimumSamples: number): ServiceTimes | undefined {
  if (minutes.length < minimumSamples || minutes.length === 0) return undefined;
  const sorted = [...minutes].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { p25: rank(0.25), p50: rank(0.5), p75: rank(0.75), samples: sorted.length };
}
