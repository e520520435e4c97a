// Console sections in menu order; those not open yet are placeholders until their modules ship.
import type { IconName } from '../shared/Icon';

export type ConsoleSectionKey = 'overview' | 'halls' | 'certificates' | 'clients' | 'users' | 'audit' | 'subsidies' | 'subsidyQuota' | 'redemption';

export const CONSOLE_SECTIONS: readonly { key: ConsoleSectionKey; path: string; icon: IconName; open: boolean }[] = [
  { key: 'overview', path: '/console', icon: 'dashboard', open: true },
  { key: 'subsidies', path: '/console/subsidies', icon: 'subsidy', open: true },
  // A section inside another section's path: its pages belong to the parent's route.
  { key: 'subsidyQuota', path: '/console/subsidies/quota', icon: 'chart', open: true },
  { key: 'redemption', path: '/console/redemption', icon: 'till', open: true },
  { key: 'halls', path: '/console/halls', icon: 'location', open: true },
  { key: 'certificates', path: '/console/certificates', icon: 'certificate', open: false },
  { key: 'clients', path: '/console/clients', icon: 'key', open: true },
  { key: 'users', path: '/console/users', icon: 'team', open: false },
  { key: 'audit', path: '/console/audit', icon: 'audit', open: false },
];
