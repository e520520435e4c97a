import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './zh-CN.json';
import en from './en.json';
import { readPref, writePref } from '../shared/storage';

export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
export const DEFAULT_LANG: Lang = 'zh-CN';
export const LANG_STORAGE_KEY = 'haihe.lang';

// Both resource files must have exactly the same keys; these assignments fail to compile otherwise.
type Resources = typeof zhCN;
const enChecked: Resources = en;
const zhChecked: typeof en = zhCN;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Resources };
  }
}

/** Narrows any string to a supported language so a stale or hand-edited preference cannot break the UI. */
export function toLang(value: string | null | undefined): Lang {
  return value === 'en' ? 'en' : DEFAULT_LANG;
}

/** The language to start with: the device's saved choice, else Simplified Chinese. */
export function initialLang(): Lang {
  return toLang(readPref(LANG_STORAGE_KEY));
}

function reflectLang(lang: Lang): void {
  document.documentElement.lang = lang;
  document.title = i18n.t('app.fullName');
}

/** Initialises i18next once at start-up, synchronously, so the first render is already translated. */
export function initI18n(): typeof i18n {
  if (i18n.isInitialized) return i18n;
  void i18n.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: zhChecked }, en: { translation: enChecked } },
    lng: initialLang(),
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGS],
    initAsync: false,
    interpolation: { escapeValue: false },
    react: { useSuspense: false },
  });
  reflectLang(currentLang());
  i18n.on('languageChanged', (lng: string) => {
    const lang = toLang(lng);
    writePref(LANG_STORAGE_KEY, lang);
    reflectLang(lang);
  });
  return i18n;
}

/** The active UI language as one of the supported codes. */
export function currentLang(): Lang {
  return toLang(i18n.resolvedLanguage ?? i18n.language);
}

/** Switches the UI language; persistence and <html lang> follow via the languageChanged listener. */
export function setLang(lang: Lang): Promise<unknown> {
  return i18n.changeLanguage(lang);
}

export default i18n;
