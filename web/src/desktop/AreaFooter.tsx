import { Layout } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';

/** Footer of a desktop area with the way back to the platform's landing page. */
export function AreaFooter() {
  const { t } = useTranslation();
  return (
    <Layout.Footer className="desktop-footer">
      <Link to="/">{t('common.backToLanding')}</Link>
      <span aria-hidden="true"> · </span>
      <span>{t('landing.footer')}</span>
    </Layout.Footer>
  );
}
