// Tianjin's 16 districts (GB/T 2260 codes) with their Chinese and English names.
import type { Lang } from '../i18n';

export interface District {
  code: string;
  zh: string;
  en: string;
}

export const TIANJIN_DISTRICTS: readonly District[] = [
  { code: '120101', zh: '和平区', en: 'Heping' },
  { code: '120102', zh: '河东区', en: 'Hedong' },
  { code: '120103', zh: '河西区', en: 'Hexi' },
  { code: '120104', zh: '南开区', en: 'Nankai' },
  { code: '120105', zh: '河北区', en: 'Hebei' },
  { code: '120106', zh: '红桥区', en: 'Hongqiao' },
  { code: '120110', zh: '东丽区', en: 'Dongli' },
  { code: '120111', zh: '西青区', en: 'Xiqing' },
  { code: '120112', zh: '津南区', en: 'Jinnan' },
  { code: '120113', zh: '北辰区', en: 'Beichen' },
  { code: '120114', zh: '武清区', en: 'Wuqing' },
  { code: '120115', zh: '宝坻区', en: 'Baodi' },
  { code: '120116', zh: '滨海新区', en: 'Binhai New Area' },
  { code: '120117', zh: '宁河区', en: 'Ninghe' },
  { code: '120118', zh: '静海区', en: 'Jinghai' },
  { code: '120119', zh: '蓟州区', en: 'Jizhou' },
];

const BY_CODE = new Map(TIANJIN_DISTRICTS.map((d) => [d.code, d]));

/** The district with this code, if it is one of Tianjin's current districts. */
export function findDistrict(code: string | null | undefined): District | undefined {
  return code ? BY_CODE.get(code) : undefined;
}

/** The district's name in the UI language; an unknown code is shown as it is rather than hidden. */
export function districtName(code: string, lang: Lang): string {
  const district = BY_CODE.get(code);
  if (!district) return code;
  return lang === 'en' ? district.en : district.zh;
}
