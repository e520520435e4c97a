import { Route, Routes } from 'react-router-dom';
import { CitizenNotFound } from '../CitizenComingSoon';
import { ChangePage, ExchangePage } from './ChooseForm';
import { QrPage } from './QrPage';
import { QualificationsHome } from './QualificationsHome';
import './qualifications.css';

/**
 * Residents' subsidy qualifications (systems.md S2.4–S2.9): /citizen/qualifications (coupons to exchange,
 * my qualifications, calculator, rules), …/exchange/:couponId, …/:id/change and the full-screen …/:id/qr.
 */
export default function CitizenQualifications() {
  return (
    <Routes>
      <Route index element={<QualificationsHome />} />
      <Route path="exchange/:couponId" element={<ExchangePage />} />
      <Route path=":id/change" element={<ChangePage />} />
      <Route path=":id/qr" element={<QrPage />} />
      <Route path="*" element={<CitizenNotFound />} />
    </Routes>
  );
}
