import path from 'node:path';
import type { Module } from '../../platform/module.ts';
import { loadIdentityDemo } from './demo.ts';
import './errors.ts';
import { registerOidc } from './oidc/index.ts';
import { identityRoutes } from './routes.ts';
import { IdentityService } from './service.ts';

export { IdentityService } from './service.ts';
export type { PersonRow, MeDto } from './service.ts';
export { validateIdNumber, makeIdNumber, TIANJIN_DISTRICT_CODES } from './rules/id-number.ts';
export { maskIdNumber, maskName, maskPhone } from './rules/masking.ts';
export { demoResident, DEMO_HALL_ID, demoClientSecret, DEMO_PASSWORD } from './demo.ts';

/** Identity and access: residents, staff, machine clients, sign-in, tokens (issue: identity). */
export const identityModule: Module<IdentityService> = {
  name: 'identity',
  migrations: path.resolve(import.meta.dirname, 'migrations'),
  init: (context) => new IdentityService(context),
  authenticator: (identity) => identity,
  async routes(app, context, identity) {
    identityRoutes(app, context, identity);
  },
  async demo(context, identity) {
    await loadIdentityDemo(context, identity);
  },
};

export { registerOidc };
