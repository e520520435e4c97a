import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { toLang } from '../i18n';
import { useLargeText } from '../shared/largeText';
import { desktopTheme } from './theme';
import './desktop.css';

/** antd provider for counter, console and public: locale follows i18next, tokens follow large-text mode. */
export function DesktopArea({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const large = useLargeText();
  const locale = toLang(i18n.language) === 'en' ? enUS : zhCN;
  return (
    // No space inserted between two Chinese characters on buttons ("确 定"): it changes the accessible name.
    <ConfigProvider locale={locale} theme={desktopTheme(large)} button={{ autoInsertSpace: false }}>
      <div className="area-desktop">{children}</div>
    </ConfigProvider>
  );
}
