import type { Module } from '../platform/module.ts';
import { hallsModule } from './halls/index.ts';
import { identityModule } from './identity/index.ts';
import { subsidiesModule } from './subsidies/index.ts';
import { systemModule } from './system/index.ts';

/** Every module of the platform, in the order they are initialised. */
export const modules: readonly Module<any>[] = [identityModule, subsidiesModule, hallsModule, systemModule];
