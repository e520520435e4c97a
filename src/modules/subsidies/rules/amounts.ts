import { Decimal } from 'decimal.js';
import type { Programme } from '../programmes.ts';

/**
 * Subsidy amounts in exact decimal arithmetic (never floats):
 * - TI-09/TI-11: 15% of the final sales price, capped at 1,500 (appliances) / 500 (digital) yuan;
 * - TI-10: a digital item priced over 6,000.00 yuan is not eligible (6,000.00 is);
 * - TI-12/TI-13: the base is the final sales price after the seller's and platform's discounts; payment
 *   discounts from financial institutions and old-appliance recycling money are NOT deducted from it;
 * - TI-14 [AMBIGUOUS] rounding: the subsidy is rounded half up to the fen (0.01 yuan), the usual rule
 *   for cash amounts; the price limit is checked against the final sales price.
 */
const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export const MONEY_PATTERN = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

export interface Quote {
  eligible: boolean;
  subsidy: string;
  payable: string;
  reason?: 'PRICE_OVER_LIMIT' | 'CATEGORY_NOT_IN_PROGRAMME';
}

/** Formats an amount as the API's money string: yuan with two places. */
export function money(value: Decimal.Value): string {
  return new Money(value).toFixed(2, Decimal.ROUND_HALF_UP);
}

export function isMoney(value: string): boolean {
  return MONEY_PATTERN.test(value) && new Money(value).gt(0);
}

/** The subsidy and the amount left to pay for one item at a final sales price. */
export function quote(programme: Programme, category: string, finalPrice: string): Quote {
  const price = new Money(finalPrice);
  if (!programme.categories.some((candidate) => candidate.id === category)) {
    return { eligible: false, subsidy: '0.00', payable: money(price), reason: 'CATEGORY_NOT_IN_PROGRAMME' };
  }
  if (programme.priceLimit !== null && price.gt(programme.priceLimit)) {
    return { eligible: false, subsidy: '0.00', payable: money(price), reason: 'PRICE_OVER_LIMIT' };
  }
  const uncapped = price.mul(programme.rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const subsidy = Decimal.min(uncapped, new Money(programme.capPerItem));
  return { eligible: true, subsidy: money(subsidy), payable: money(price.sub(subsidy)) };
}

/** The final sales price from a breakdown (TI-12, TI-13): list price minus seller and platform discounts only. */
export function finalSalesPrice(listPrice: string, sellerDiscount = '0', platformDiscount = '0'): string {
  return money(new Money(listPrice).sub(sellerDiscount).sub(platformDiscount));
}
