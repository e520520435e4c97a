import path from 'node:path';
import { addDays, civilDate, civilInstant } from '../../platform/civil-time.ts';
import type { Module } from '../../platform/module.ts';
import type { IdentityService } from '../identity/index.ts';
import './errors.ts';
import { hallRoutes } from './routes.ts';
import { HallsService } from './service.ts';

export { HallsService } from './service.ts';
export type { HallStatus, TicketDto } from './service.ts';
export { signTag, readTag, tagKey } from './rules/tags.ts';

/** Service halls (systems.md S1, components A, D, E, F, G): catalogue, appointments, tickets, windows, live map, ratings, review. */
export const hallsModule: Module<HallsService> = {
  name: 'halls',
  migrations: path.resolve(import.meta.dirname, 'migrations'),
  async init(context, dependencies) {
    const service = new HallsService(context, dependencies.get<IdentityService>('identity'));
    await service.start();
    return service;
  },
  routes(app, context, service) {
    hallRoutes(app, context, service);
  },
  jobs(runner, _context, service) {
    // End of day (00:05 Asia/Shanghai): yesterday's tickets expire, appointments past their window are missed.
    runner.schedule(
      {
        name: 'halls.close-day',
        next: (after) => {
          const today = civilInstant(civilDate(after), '00:05:00');
          return after.getTime() < today.getTime() ? today : civilInstant(addDays(civilDate(after), 1), '00:05:00');
        },
      },
      async () => {
        await service.closeDay();
      },
    );
  },
  async demo(_context, service) {
    await service.loadDemo();
  },
};
