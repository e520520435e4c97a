import { Route, Routes } from 'react-router-dom';
import { CitizenNotFound } from '../CitizenComingSoon';
import { MyCoupons } from './MyCoupons';
import { SubsidiesHome } from './SubsidiesHome';
import './subsidies.css';

/** Residents' subsidy pages: /citizen/subsidies (releases, claim, quota, rules) and /citizen/subsidies/coupons. */
export function CitizenSubsidies() {
  return (
    <Routes>
      <Route index element={<SubsidiesHome />} />
      <Route path="coupons" element={<MyCoupons />} />
      <Route path="*" element={<CitizenNotFound />} />
    </Routes>
  );
}
