import { describe, expect, it } from 'vitest';
import { ageOn, appointmentArrival, compareQueue, estimateWait, fallbackServiceTimes, priorityFor, queuedAtFor, queueKey, serviceTimesFrom } from './queue.ts';

const at = (time: string) => new Date(`2026-03-02T${time}:00+08:00`);

describe('the one fair queue (POL-13, POL-15, POL-19)', () => {
  it('age in whole years on a civil date; 29 February birthdays turn on 1 March', () => {
    expect(ageOn('1956-03-02', '2026-03-02')).toBe(70);
    expect(ageOn('1956-03-03', '2026-03-02')).toBe(69);
    expect(ageOn('1956-02-29', '2026-02-28')).toBe(69);
    expect(ageOn('1956-02-29', '2026-03-01')).toBe(70);
  });

  it('priority: 70 and over from the identity number’s birth date; what the lobby officer records wins', () => {
    expect(priorityFor({ birthDate: '1956-03-02', today: '2026-03-02', elderlyAge: 70 })).toBe('elderly');
    expect(priorityFor({ birthDate: '1956-03-03', today: '2026-03-02', elderlyAge: 70 })).toBeNull();
    expect(priorityFor({ birthDate: '1990-01-01', today: '2026-03-02', elderlyAge: 70, declared: 'disabled' })).toBe('disabled');
    expect(priorityFor({ birthDate: undefined, today: '2026-03-02', elderlyAge: 70 })).toBeNull();
  });

  it('the queue key moves a priority ticket ahead by the advance, and no further', () => {
    const walkIn = { queueKey: queueKey(at('10:00'), null, 20), seq: 1 };
    const elderlyLater = { queueKey: queueKey(at('10:10'), 'elderly', 20), seq: 2 };
    const elderlyMuchLater = { queueKey: queueKey(at('10:30'), 'elderly', 20), seq: 3 };
    expect(compareQueue(elderlyLater, walkIn)).toBeLessThan(0);
    expect(compareQueue(elderlyMuchLater, walkIn)).toBeGreaterThan(0);
    // Equal keys: the earlier number first.
    expect(compareQueue({ queueKey: at('10:00'), seq: 4 }, { queueKey: at('10:00'), seq: 5 })).toBeLessThan(0);
  });

  it('nobody waits forever: once the clock passes a ticket’s key plus the advance, no new ticket can go before it', () => {
    const key = queueKey(at('10:00'), null, 20).getTime();
    for (const arrival of ['10:21', '10:40', '11:00']) {
      expect(queueKey(at(arrival), 'elderly', 20).getTime()).toBeGreaterThan(key);
      expect(queueKey(at(arrival), null, 20).getTime()).toBeGreaterThan(key);
    }
  });

  it('an appointment counts from its slot start within the early/late window, otherwise it is a walk-in', () => {
    const slot = at('10:30');
    expect(appointmentArrival(slot, at('09:59'), 30, 15)).toBe('too_early');
    expect(appointmentArrival(slot, at('10:00'), 30, 15)).toBe('in_window');
    expect(appointmentArrival(slot, at('10:45'), 30, 15)).toBe('in_window');
    expect(appointmentArrival(slot, at('10:46'), 30, 15)).toBe('too_late');
    expect(queuedAtFor(at('10:20'), { slotStart: slot, arrival: 'in_window' })).toEqual(slot);
    expect(queuedAtFor(at('10:50'), { slotStart: slot, arrival: 'too_late' })).toEqual(at('10:50'));
    expect(queuedAtFor(at('10:50'), undefined)).toEqual(at('10:50'));
  });
});

describe('waiting-time estimate (docs/modules/halls.md)', () => {
  it('quartiles of observed service times, only with enough samples', () => {
    expect(serviceTimesFrom([5, 6], 5)).toBeUndefined();
    expect(serviceTimesFrom([4, 6, 8, 10, 12, 14, 16, 18], 5)).toEqual({ p25: 6, p50: 10, p75: 14, samples: 8 });
    expect(fallbackServiceTimes(10)).toEqual({ p25: 5, p50: 10, p75: 15, samples: 0 });
  });

  it('a range: low from the first quartile, high from the third plus the tickets at the windows', () => {
    const times = { p25: 4, p50: 6, p75: 9, samples: 20 };
    expect(estimateWait(0, 2, times)).toEqual({ minutes: 3, low: 0, high: 9 });
    expect(estimateWait(6, 2, times)).toEqual({ minutes: 21, low: 12, high: 36 });
    // No open window: counted as one, so the estimate never divides by zero.
    expect(estimateWait(3, 0, times)).toEqual(estimateWait(3, 1, times));
  });
});
