import { defineErrors } from '../../platform/errors.ts';

/** Subsidy error codes (api-contract.md, "Subsidies"). Sold out and quota reached are ordinary results, not bugs. */
export const SubsidyErrors = defineErrors('subsidies', {
  NOT_OPEN: { kind: 'conflict', title: 'The release is not open yet' },
  RELEASE_CLOSED: { kind: 'conflict', title: 'The release has closed for this month' },
  SOLD_OUT: { kind: 'conflict', title: 'All coupons of this release have been claimed' },
  QUOTA_MONTH_REACHED: { kind: 'conflict', title: 'The monthly coupon quota for this programme is used up' },
  QUOTA_YEAR_REACHED: { kind: 'conflict', title: 'The yearly coupon quota for this programme is used up' },
  OUTSIDE_CITY: { kind: 'forbidden', title: 'The location is outside Tianjin' },
  RELEASE_EXISTS: { kind: 'conflict', title: 'A release for this programme, channel and month exists already' },
  RELEASE_NOT_FOUND: { kind: 'not_found', title: 'No such release' },
  STOCK_BELOW_ISSUED: { kind: 'conflict', title: 'The stock cannot be less than the coupons already issued' },
  LINE_FULL: { kind: 'unavailable', title: 'Too many people are waiting; try again in a moment' },
  CLAIM_TICKET_NOT_FOUND: { kind: 'not_found', title: 'No such place in line (it may have expired)' },
});
