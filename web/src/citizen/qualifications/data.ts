import { api } from '../../shared/api';
import type { DesignatedPlatform, ProgrammeRules, Qualification } from '../../shared/redemption';
import type { Coupon } from '../../shared/subsidies';

export const loadProgrammes = (signal: AbortSignal) => api.get<ProgrammeRules[]>('/subsidies/programmes', undefined, { signal });
export const loadPlatforms = (signal: AbortSignal) => api.get<DesignatedPlatform[]>('/subsidies/platforms', undefined, { signal });
export const loadCoupons = (signal: AbortSignal) => api.get<Coupon[]>('/me/coupons', undefined, { signal });
export const loadQualifications = (signal: AbortSignal) => api.get<Qualification[]>('/me/qualifications', undefined, { signal });

export const HOME = '/citizen/qualifications';
export const qrPath = (id: string) => `${HOME}/${encodeURIComponent(id)}/qr`;
export const changePath = (id: string) => `${HOME}/${encodeURIComponent(id)}/change`;
export const exchangePath = (couponId: string) => `${HOME}/exchange/${encodeURIComponent(couponId)}`;
