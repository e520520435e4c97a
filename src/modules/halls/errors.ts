import { defineErrors } from '../../platform/errors.ts';

/** Service-hall error codes (api-contract.md, "Service halls"). A full slot or a closed hall is an ordinary result, not a bug. */
export const HallErrors = defineErrors('halls', {
  TICKET_ALREADY_ACTIVE: { kind: 'conflict', title: 'This person already holds an active ticket at this hall' },
  TAG_INVALID: { kind: 'forbidden', title: 'The hall tag is not valid (wrong hall, forged or rotated)' },
  HALL_CLOSED: { kind: 'conflict', title: 'The hall is not issuing tickets now' },
  SLOT_FULL: { kind: 'conflict', title: 'This time slot is fully booked' },
  SLOT_NOT_BOOKABLE: { kind: 'conflict', title: 'This time slot cannot be booked' },
  APPOINTMENT_LIMIT_REACHED: { kind: 'conflict', title: 'You already have an active appointment for this item' },
  REASON_REQUIRED: { kind: 'invalid', title: 'A reason is required when the business cannot be done' },
  ALREADY_RATED: { kind: 'conflict', title: 'This service has been rated already' },
  NOT_FINISHED: { kind: 'conflict', title: 'The service is not finished yet' },
  HALL_NOT_FOUND: { kind: 'not_found', title: 'No such hall' },
  SERVICE_NOT_FOUND: { kind: 'not_found', title: 'No such business item' },
  SERVICE_NOT_OFFERED: { kind: 'conflict', title: 'This hall does not handle this business item' },
  WINDOW_NOT_FOUND: { kind: 'not_found', title: 'No such window' },
  WINDOW_BUSY: { kind: 'conflict', title: 'The window is still serving a ticket; finish it first' },
  TICKET_NOT_FOUND: { kind: 'not_found', title: 'No such ticket' },
  TICKET_NOT_ACTIVE: { kind: 'conflict', title: 'The ticket is no longer waiting or being served' },
  TICKET_NOT_CALLED: { kind: 'conflict', title: 'The ticket is not being served at a window' },
  APPOINTMENT_NOT_FOUND: { kind: 'not_found', title: 'No such appointment' },
  APPOINTMENT_NOT_ACTIVE: { kind: 'conflict', title: 'The appointment is no longer booked' },
  REVIEW_NOT_FOUND: { kind: 'not_found', title: 'No such review item' },
  REVIEW_ACTION_NOT_ALLOWED: { kind: 'conflict', title: 'This step is not possible in the review item’s current state' },
  NAME_REQUIRED: { kind: 'invalid', title: 'The resident’s name is needed for a first visit' },
  IMPORT_INVALID: { kind: 'invalid', title: 'The file has rows that are not valid; nothing was imported' },
});
