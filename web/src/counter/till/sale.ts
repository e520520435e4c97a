import { normaliseMoney } from '../../shared/redemption';

/** The confirm form at the till (after the check). */
export interface ConfirmForm {
  orderId: string;
  invoiceNumber: string;
  invoiceTitle: string;
  invoiceAmount: string;
  serial?: string;
}

/** The body of POST /merchant/redemptions from the checked sale and the confirm form (trimmed; serial only when given). */
export function saleBody(verified: { code: string; category: string; price: string }, form: ConfirmForm, withSerial: boolean) {
  const amount = normaliseMoney(form.invoiceAmount) ?? form.invoiceAmount.trim();
  const serial = form.serial?.trim();
  return {
    qrToken: verified.code,
    category: verified.category,
    price: verified.price,
    orderId: form.orderId.trim(),
    invoice: { number: form.invoiceNumber.trim(), title: form.invoiceTitle.trim(), amount },
    ...(withSerial && serial ? { serial } : {}),
  };
}
