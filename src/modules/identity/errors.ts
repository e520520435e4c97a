import { defineErrors } from '../../platform/errors.ts';

export const IdentityErrors = defineErrors('identity', {
  INVALID_ID_NUMBER: { kind: 'invalid', title: 'The identity number is not valid' },
  INVALID_PHONE_NUMBER: { kind: 'invalid', title: 'The mobile phone number is not valid' },
  INVALID_CLIENT: { kind: 'unauthenticated', title: 'Client authentication failed' },
  UNSUPPORTED_GRANT_TYPE: { kind: 'invalid', title: 'Only the client_credentials grant is supported here' },
  DEMO_ONLY: { kind: 'forbidden', title: 'Only available in demo mode' },
  PERSON_NOT_FOUND: { kind: 'not_found', title: 'No such person' },
  CLIENT_NOT_FOUND: { kind: 'not_found', title: 'No such client' },
});
