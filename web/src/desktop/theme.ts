import type { ThemeConfig } from 'antd';

const FONT_FAMILY =
  "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', Roboto, 'Helvetica Neue', Arial, sans-serif";

function prefersReducedMotion(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** antd theme for the desktop areas: colours that pass 4.5:1, and sizes that follow large-text mode. */
export function desktopTheme(large: boolean): ThemeConfig {
  const target = large ? 60 : 44;
  return {
    token: {
      // People who ask their system for reduced motion get none (WCAG 2.3.3): no fades or zooms.
      motion: !prefersReducedMotion(),
      colorPrimary: '#0958d9',
      colorLink: '#0958d9',
      // Hover and pressed states get darker, not lighter, so links and buttons keep 4.5:1 under the pointer.
      colorLinkHover: '#003eb3',
      colorLinkActive: '#002c8c',
      colorPrimaryHover: '#003eb3',
      colorPrimaryActive: '#002c8c',
      colorInfo: '#0958d9',
      colorError: '#cf1322',
      colorSuccess: '#00754a',
      colorWarning: '#ad4e00',
      colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
      colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
      colorTextDescription: 'rgba(0, 0, 0, 0.65)',
      colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
      // antd draws "no data" in tables with the disabled colour (1.8:1); it is information, so 4.5:1.
      colorTextDisabled: 'rgba(0, 0, 0, 0.6)',
      // Light message backgrounds (antd would derive murky ones from the darker status colours above).
      colorSuccessBg: '#e8f6ef',
      colorSuccessBorder: '#00754a',
      colorWarningBg: '#fff7e6',
      colorWarningBorder: '#d48806',
      colorErrorBg: '#fff1f0',
      colorErrorBorder: '#cf1322',
      colorInfoBg: '#e6f4ff',
      colorInfoBorder: '#0958d9',
      colorBgLayout: '#f5f7fa',
      fontFamily: FONT_FAMILY,
      fontSize: large ? 18 : 14,
      lineHeight: 1.5714,
      controlHeight: target,
      borderRadius: 8,
    },
    components: {
      Layout: { headerBg: '#ffffff', siderBg: '#ffffff', bodyBg: '#f5f7fa', footerBg: '#f5f7fa' },
      Menu: { itemHeight: target, itemMarginInline: 8 },
    },
  };
}
