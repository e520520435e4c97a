import { describe, expect, it } from 'vitest';
import { readCalendarFiles, WorkingCalendar } from '../../../platform/calendar.ts';
import { formatCivil } from '../../../platform/civil-time.ts';
import { allowedReviewActions, isBadRating, resolutionsFor, reviewDeadlines } from './reviews.ts';

const calendar = new WorkingCalendar(readCalendarFiles());
const deadlines = (instant: string, callbackWorkingDays = 1, rectifyWorkingDays = 15) => {
  const result = reviewDeadlines(calendar, new Date(instant), { callbackWorkingDays, rectifyWorkingDays });
  return { callback: formatCivil(result.callbackDueAt), rectify: formatCivil(result.rectifyDueAt) };
};

describe('好差评 review deadlines in official working days (POL-17, reference.md)', () => {
  it('levels 1 and 2 are bad ratings', () => {
    expect([1, 2, 3, 4, 5].map(isBadRating)).toEqual([true, true, false, false, false]);
  });

  it('a bad rating on Fri 2026-02-13 is called back by the end of Sat 2026-02-14, a make-up working day', () => {
    expect(deadlines('2026-02-13T16:30:00+08:00')).toEqual({ callback: '2026-02-15T00:00:00+08:00', rectify: '2026-03-13T00:00:00+08:00' });
  });

  it('one on Sat 2026-02-14 is called back by the end of Tue 2026-02-24, after the Spring Festival holiday', () => {
    expect(deadlines('2026-02-14T11:00:00+08:00')).toEqual({ callback: '2026-02-25T00:00:00+08:00', rectify: '2026-03-14T00:00:00+08:00' });
  });

  it('one on an ordinary weekend counts from the next working day; the numbers of days are configurable', () => {
    expect(deadlines('2026-03-07T10:00:00+08:00').callback).toBe('2026-03-10T00:00:00+08:00');
    expect(deadlines('2026-02-13T16:00:00+08:00', 2, 5)).toEqual({ callback: '2026-02-25T00:00:00+08:00', rectify: '2026-02-28T00:00:00+08:00' });
  });

  it('steps: call back first, then rectify, appeal or close; an appeal is closed by upholding or rejecting it', () => {
    expect(allowedReviewActions('open')).toEqual(['callback']);
    expect(allowedReviewActions('called_back')).toEqual(['rectify', 'appeal', 'close']);
    expect(allowedReviewActions('closed')).toEqual([]);
    expect(resolutionsFor('appealed')).toEqual(['appeal_upheld', 'appeal_rejected']);
    expect(resolutionsFor('rectifying')).toEqual(['rectified']);
  });
});
