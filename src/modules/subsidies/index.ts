import path from 'node:path';
import { civilMonth, monthStart, nextMonth } from '../../platform/civil-time.ts';
import type { Module } from '../../platform/module.ts';
import './errors.ts';
import type { IdentityService } from '../identity/index.ts';
import { registryFromConfig } from './national-registry.ts';
import { RedemptionService } from './redemption.ts';
import { redemptionRoutes } from './redemption-routes.ts';
import { subsidyRoutes } from './routes.ts';
import { SubsidyService } from './service.ts';

export { SubsidyService } from './service.ts';
export { RedemptionService } from './redemption.ts';
export { nationalSubject } from './national-registry.ts';
export type { Programme, CategoryId, Channel } from './programmes.ts';

/** Consumer trade-in subsidies (以旧换新), systems.md S2: programmes, releases, coupon claims. */
export const subsidiesModule: Module<SubsidyService> = {
  name: 'subsidies',
  migrations: path.resolve(import.meta.dirname, 'migrations'),
  async init(context, dependencies) {
    const service = new SubsidyService(context);
    await service.loadProgrammes();
    const settings = context.config.nationalRegistry;
    const pepper = settings.pepper ? Buffer.from(settings.pepper, 'base64') : undefined;
    service.redemptions = new RedemptionService(context, service, dependencies.get<IdentityService>('identity'), registryFromConfig(settings), pepper);
    return service;
  },
  async routes(app, context, service) {
    subsidyRoutes(app, context, service);
    await redemptionRoutes(app, context, service, service.redemptions);
  },
  jobs(runner, context, service) {
    // TI-17: this month's and next month's scheduled releases exist before their opening; checked hourly.
    runner.schedule(
      { name: 'subsidies.plan-releases', next: (after) => new Date(Math.floor(after.getTime() / 3_600_000) * 3_600_000 + 3_600_000) },
      async () => {
        const month = civilMonth(context.clock.now());
        await service.planReleases(month);
        await service.planReleases(nextMonth(month));
      },
    );
    // TI-18, TI-24: coupons expire at the end of their month (run at 00:00 on the 1st, Asia/Shanghai).
    runner.schedule(
      { name: 'subsidies.expire-coupons', next: (after) => monthStart(nextMonth(civilMonth(after))) },
      async () => {
        await service.expireCoupons();
        await service.redemptions.expireQualifications();
      },
    );
    runner.schedule(
      { name: 'subsidies.prune-typed-codes', next: (after) => new Date(Math.floor(after.getTime() / 600_000) * 600_000 + 600_000) },
      async () => {
        await service.redemptions.pruneTypedCodes();
      },
    );
  },
  async demo(context, service) {
    await service.planReleases(civilMonth(context.clock.now()));
  },
};
