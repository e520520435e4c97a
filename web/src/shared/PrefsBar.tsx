import { useTranslation } from 'react-i18next';
import { currentLang, setLang } from '../i18n';
import { setLargeText, useLargeText } from './largeText';
import { Icon } from './Icon';

/** Language switch and large-text toggle, identical on every area so residents find them in the same place. */
export function PrefsBar({ className }: { className?: string }) {
  const { t } = useTranslation();
  const large = useLargeText();
  const other = currentLang() === 'en' ? 'zh-CN' : 'en';
  return (
    <div className={className ? `prefs-bar ${className}` : 'prefs-bar'} role="group" aria-label={t('prefs.label')}>
      <button type="button" className="prefs-btn" data-testid="lang-switch" onClick={() => void setLang(other)}>
        <Icon name="globe" />
        <span lang={t('prefs.otherLanguageTag')}>{t('prefs.otherLanguage')}</span>
      </button>
      <button
        type="button"
        className="prefs-btn"
        data-testid="large-text-toggle"
        aria-pressed={large}
        onClick={() => setLargeText(!large)}
      >
        <Icon name="text" />
        <span>{t('prefs.largeText')}</span>
        <span className="prefs-switch" aria-hidden="true" />
      </button>
    </div>
  );
}
