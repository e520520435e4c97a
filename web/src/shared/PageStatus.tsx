import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';

/** Shown while an area's code is downloading; announced politely to screen readers. */
export function PageLoading() {
  const { t } = useTranslation();
  return (
    <div className="page-loading" role="status">
      {t('common.loading')}
    </div>
  );
}

/** Library-free "page not found" for paths outside every area. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <main id="main" tabIndex={-1} className="plain-page">
      <h1>{t('common.notFound')}</h1>
      <p>{t('common.notFoundDetail')}</p>
      <p>
        <Link to="/">{t('common.backToLanding')}</Link>
      </p>
    </main>
  );
}

function LoadFailed() {
  const { t } = useTranslation();
  return (
    <main id="main" tabIndex={-1} className="plain-page">
      <div role="alert">
        <p>{t('common.loadFailed')}</p>
      </div>
      <button type="button" className="plain-button" onClick={() => window.location.reload()}>
        {t('common.reload')}
      </button>
    </main>
  );
}

/** Catches a failed chunk download (e.g. after a deploy) and offers a reload instead of a blank page. */
export class AreaErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Area failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.failed ? <LoadFailed /> : this.props.children;
  }
}
