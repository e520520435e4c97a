import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import LandingPage from './landing/LandingPage';
import { SkipLink } from './shared/SkipLink';
import { AreaErrorBoundary, NotFoundPage, PageLoading } from './shared/PageStatus';

// Each area is its own chunk: the citizen area never downloads antd, the desktop areas never download antd-mobile.
const CitizenApp = lazy(() => import('./citizen/CitizenApp'));
const CounterApp = lazy(() => import('./counter/CounterApp'));
const ConsoleApp = lazy(() => import('./console/ConsoleApp'));
const PublicApp = lazy(() => import('./public/PublicApp'));

/** Top-level routes: the landing page plus one lazily loaded app per area prefix. */
export function App() {
  return (
    <BrowserRouter>
      <SkipLink />
      <AreaErrorBoundary>
        <Suspense fallback={<PageLoading />}>
          <Routes>
            <Route path="/" element={<LandingPage />} />
            <Route path="/citizen/*" element={<CitizenApp />} />
            <Route path="/counter/*" element={<CounterApp />} />
            <Route path="/console/*" element={<ConsoleApp />} />
            <Route path="/public/*" element={<PublicApp />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </AreaErrorBoundary>
    </BrowserRouter>
  );
}
