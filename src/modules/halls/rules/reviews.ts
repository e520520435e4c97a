/**
 * The quality review (质效评估, POL-17, POL-18) and the rating scheme (reference.md 好差评):
 * five levels, one rating per service event; levels 1 and 2 are bad ratings. Every bad rating and
 * every "not done" outcome (办不成事) opens a review item that must be called back and rectified
 * within deadlines counted in official working days (defaults 1 and 15, configurable).
 */
export const RATING_LEVELS = [1, 2, 3, 4, 5] as const;
export const BAD_RATING_MAX_LEVEL = 2;

export function isBadRating(level: number): boolean {
  return level <= BAD_RATING_MAX_LEVEL;
}

export interface ReviewDeadlinePolicy {
  callbackWorkingDays: number;
  rectifyWorkingDays: number;
}

/** Anything that can place a deadline N official working days after an event (platform calendar). */
export interface DeadlineCalendar {
  deadlineAfter(event: Date, workingDays: number): Date;
}

/**
 * Call-back and rectification deadlines: the end (24:00 Asia/Shanghai) of the Nth official working
 * day after the civil day the review was opened. A bad rating on Fri 2026-02-13 is called back by
 * the end of Sat 2026-02-14 (a make-up working day); one on Sat 2026-02-14 by the end of Tue
 * 2026-02-24 (after the Spring Festival holiday).
 */
export function reviewDeadlines(calendar: DeadlineCalendar, openedAt: Date, policy: ReviewDeadlinePolicy): { callbackDueAt: Date; rectifyDueAt: Date } {
  return {
    callbackDueAt: calendar.deadlineAfter(openedAt, policy.callbackWorkingDays),
    rectifyDueAt: calendar.deadlineAfter(openedAt, policy.rectifyWorkingDays),
  };
}

export type ReviewStatus = 'open' | 'called_back' | 'rectifying' | 'appealed' | 'closed';
export type ReviewAction = 'callback' | 'rectify' | 'appeal' | 'close';
export type Resolution = 'rectified' | 'explained' | 'appeal_upheld' | 'appeal_rejected';

/**
 * Which actions each state allows: call back first (100 % call-back, reference.md), then rectify
 * or appeal (申诉复核) or close with an explanation; an appeal is closed by upholding or rejecting it.
 */
export function allowedReviewActions(status: ReviewStatus): ReviewAction[] {
  switch (status) {
    case 'open':
      return ['callback'];
    case 'called_back':
      return ['rectify', 'appeal', 'close'];
    case 'rectifying':
      return ['rectify', 'close'];
    case 'appealed':
      return ['close'];
    case 'closed':
      return [];
  }
}

/** Resolutions that fit the state a review is closed from. */
export function resolutionsFor(status: ReviewStatus): Resolution[] {
  if (status === 'appealed') return ['appeal_upheld', 'appeal_rejected'];
  if (status === 'rectifying') return ['rectified'];
  if (status === 'called_back') return ['explained', 'rectified'];
  return [];
}
