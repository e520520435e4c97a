// The citizen services shown on the home tiles and the services tab, with their future routes.
import type { IconName } from './Icon';

export type CitizenModuleKey = 'subsidies' | 'qualifications' | 'halls' | 'certificates' | 'me';

export interface CitizenModule {
  key: CitizenModuleKey;
  path: string;
  icon: IconName;
  /** False until the module ships; the UI then shows "coming soon" rather than placeholder data. */
  open: boolean;
}

export const CITIZEN_MODULES: readonly CitizenModule[] = [
  { key: 'subsidies', path: '/citizen/subsidies', icon: 'subsidy', open: true },
  { key: 'qualifications', path: '/citizen/qualifications', icon: 'scan', open: true },
  { key: 'halls', path: '/citizen/halls', icon: 'location', open: true },
  { key: 'certificates', path: '/citizen/certificates', icon: 'certificate', open: false },
  { key: 'me', path: '/citizen/me', icon: 'user', open: true },
];
