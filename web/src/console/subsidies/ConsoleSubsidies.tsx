import { Route, Routes } from 'react-router-dom';
import { DesktopNotFound } from '../../desktop/ComingSoonPage';
import { QuotaPage } from './QuotaPage';
import { ReleaseLivePage } from './ReleaseLivePage';
import { ReleasesPage } from './ReleasesPage';
import './subsidies.css';

/** Subsidy administration: releases of a month, a release live, and quota statistics. */
export function ConsoleSubsidies() {
  return (
    <Routes>
      <Route index element={<ReleasesPage />} />
      <Route path="releases/:id" element={<ReleaseLivePage />} />
      <Route path="quota" element={<QuotaPage />} />
      <Route path="*" element={<DesktopNotFound home="/console" />} />
    </Routes>
  );
}
