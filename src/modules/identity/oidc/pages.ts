/**
 * Server-rendered pages of sign-in: plain HTML and one style block, no scripts and nothing loaded
 * from elsewhere, so they work under the platform's Content-Security-Policy and on slow phones.
 * Elderly-friendly (reference.md): 18px+ text, line height 1.5, 44px+ targets, 4.5:1 contrast,
 * visible focus, a label on every input, errors in plain words.
 */
export type Lang = 'zh-CN' | 'en';

/** The first candidate that names a supported language (`en`, `en-GB`, `zh`, `zh-CN`…); Chinese otherwise. */
export function pickLang(...candidates: unknown[]): Lang {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    for (const tag of candidate.split(/[\s,]+/)) {
      const lower = tag.trim().toLowerCase();
      if (lower === 'en' || lower.startsWith('en-')) return 'en';
      if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    }
  }
  return 'zh-CN';
}

const messages = {
  'zh-CN': {
    brand: '海河市民服务',
    otherLang: 'English',
    otherLangTag: 'en',
    signInTitle: '登录',
    signInIntro: '登录后可以在线办理业务、查看办件进度。',
    passwordHeading: '用登录名和密码登录',
    loginLabel: '登录名',
    passwordLabel: '密码',
    submit: '登录',
    cancel: '不登录，返回首页',
    demoHeading: '演示账号',
    demoBadge: '仅演示环境',
    demoIntro: '这是演示环境，点击按钮即可用以下账号登录，不用输入密码（它们的密码都是 demo1234）。',
    demoStaff: '工作人员',
    demoResidents: '居民',
    demoButton: '以此身份登录',
    demoLogin: '登录名',
    demoIdNumber: '身份证',
    privacy: '您的身份证号码加密保存，页面上只显示部分号码。',
    errorMissing: '请填写登录名和密码。',
    errorCredentials: '登录名或密码不正确，请检查后重新输入。',
    errorTooMany: '密码错误次数太多，请 15 分钟后再试。',
    errorDemo: '找不到这个演示账号，请刷新页面后再试。',
    failedTitle: '登录没有完成',
    expired: '登录页面已过期。请重新开始登录。',
    stateInvalid: '登录请求已失效或不完整，请重新登录。',
    cancelled: '您已取消登录。',
    providerUnavailable: '身份认证服务暂时无法使用，请稍后再试。',
    accountMissing: '找不到您的账号。如需帮助，请联系工作人员。',
    idNumberMissing: '身份认证服务没有提供身份证号码，无法完成实名登录。',
    idNumberInvalid: '身份认证服务提供的身份证号码不正确，无法完成实名登录。',
    nameMissing: '身份认证服务没有提供姓名，无法完成实名登录。',
    providerError: '登录时出了问题，请重新登录。',
    retry: '重新登录',
    home: '返回首页',
    errorTitle: '出错了',
    signedOutTitle: '已退出登录',
    signedOut: '您已安全退出。',
    logoutTitle: '退出登录',
    logoutQuestion: '要退出海河市民服务吗？',
    logoutYes: '退出登录',
    logoutNo: '不退出',
  },
  en: {
    brand: 'Haihe City Services',
    otherLang: '中文',
    otherLangTag: 'zh-CN',
    signInTitle: 'Sign in',
    signInIntro: 'Sign in to use services online and follow your applications.',
    passwordHeading: 'Sign in with your login name and password',
    loginLabel: 'Login name',
    passwordLabel: 'Password',
    submit: 'Sign in',
    cancel: 'Do not sign in, go back to the home page',
    demoHeading: 'Demo accounts',
    demoBadge: 'Demo only',
    demoIntro: 'This is a demo. Press a button to sign in as one of these accounts without a password (their password is demo1234).',
    demoStaff: 'Staff',
    demoResidents: 'Residents',
    demoButton: 'Use this account',
    demoLogin: 'Login name',
    demoIdNumber: 'ID number',
    privacy: 'Your identity number is stored encrypted; pages show only part of it.',
    errorMissing: 'Enter your login name and password.',
    errorCredentials: 'The login name or password is not correct. Check them and try again.',
    errorTooMany: 'Too many wrong passwords. Try again in 15 minutes.',
    errorDemo: 'That demo account was not found. Reload the page and try again.',
    failedTitle: 'Sign-in did not finish',
    expired: 'The sign-in page has expired. Please start again.',
    stateInvalid: 'The sign-in request has expired or is incomplete. Please sign in again.',
    cancelled: 'You cancelled signing in.',
    providerUnavailable: 'The identity service is not available right now. Please try again later.',
    accountMissing: 'Your account was not found. Please ask a member of staff for help.',
    idNumberMissing: 'The identity service did not provide an identity number, so real-name sign-in cannot finish.',
    idNumberInvalid: 'The identity service provided an identity number that is not valid, so real-name sign-in cannot finish.',
    nameMissing: 'The identity service did not provide a name, so real-name sign-in cannot finish.',
    providerError: 'Something went wrong while signing in. Please sign in again.',
    retry: 'Sign in again',
    home: 'Back to the home page',
    errorTitle: 'Something went wrong',
    signedOutTitle: 'Signed out',
    signedOut: 'You have signed out.',
    logoutTitle: 'Sign out',
    logoutQuestion: 'Sign out of Haihe City Services?',
    logoutYes: 'Sign out',
    logoutNo: 'Stay signed in',
  },
} as const;

export type MessageKey = keyof (typeof messages)['zh-CN'];

export function t(lang: Lang, key: MessageKey): string {
  return messages[lang][key];
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Noto Sans SC','PingFang SC','Hiragino Sans GB','Microsoft YaHei',Roboto,Arial,sans-serif;font-size:18px;line-height:1.5;color:#1f1f1f;background:#f5f7fa}
a{color:#0958d9}
:focus-visible{outline:3px solid #0958d9;outline-offset:2px}
.skip{position:absolute;left:8px;top:-200px;background:#fff;padding:8px 16px;border:2px solid #0958d9;border-radius:8px;z-index:1}
.skip:focus{top:8px}
header{background:#fff;border-bottom:1px solid #d0d7de}
.bar{max-width:680px;margin:0 auto;padding:8px 16px;display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap}
.brand{display:inline-flex;align-items:center;gap:10px;min-height:44px;font-size:20px;font-weight:700;color:#1f1f1f;text-decoration:none}
.logo{display:inline-flex;align-items:center;justify-content:center;width:32px;height:32px;border-radius:8px;background:#0958d9;color:#fff;font-size:18px;font-weight:700}
.lang{display:inline-flex;align-items:center;justify-content:center;min-height:44px;min-width:44px;padding:0 16px;border:1px solid #0958d9;border-radius:8px;color:#0958d9;text-decoration:none;background:#fff}
main{display:block;max-width:680px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:28px;line-height:1.4;margin:0 0 8px}
h2{font-size:22px;line-height:1.4;margin:0 0 8px}
h3{font-size:20px;line-height:1.4;margin:24px 0 4px}
p{margin:0 0 12px}
.lead,.hint{color:#595959}
.card{background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:24px;margin-top:24px}
label{display:block;font-weight:600;margin:20px 0 8px}
input[type=text],input[type=password]{display:block;width:100%;min-height:52px;padding:10px 14px;font:inherit;color:inherit;background:#fff;border:2px solid #767676;border-radius:8px}
input[aria-invalid=true]{border-color:#c4161c}
.button{display:inline-flex;align-items:center;justify-content:center;min-height:52px;min-width:44px;padding:10px 20px;font:inherit;font-weight:600;line-height:1.4;text-align:center;border-radius:8px;border:2px solid #0958d9;cursor:pointer;text-decoration:none}
.primary{background:#0958d9;color:#fff}
.primary:hover{background:#003eb3;border-color:#003eb3}
.secondary{background:#fff;color:#0958d9}
.secondary:hover{background:#e6f4ff}
.wide{width:100%;margin-top:28px}
.error{margin:16px 0 0;padding:12px 16px;border:2px solid #c4161c;border-left-width:8px;border-radius:8px;background:#fff1f0;color:#a8071a;font-weight:600}
.badge{display:inline-block;margin-left:8px;padding:0 10px;border-radius:999px;background:#fff7e6;border:1px solid #ad4e00;color:#873800;font-size:16px;font-weight:600;vertical-align:middle}
.accounts{list-style:none;margin:0;padding:0}
.accounts li{display:grid;grid-template-columns:auto minmax(0,1fr);column-gap:16px;row-gap:2px;align-items:center;padding:14px 0;border-top:1px solid #e5e8eb}
.accounts .name{grid-column:1;grid-row:1;font-size:20px;font-weight:600;white-space:nowrap}
.accounts form{grid-column:2;grid-row:1/span 2;justify-self:end;min-width:0;max-width:100%;margin:0}
.accounts .button{max-width:100%}
.accounts .detail{grid-column:1;grid-row:2;color:#595959}
.accounts .piece{white-space:nowrap}
@media (max-width:560px){.card{padding:20px 16px}.accounts form{grid-row:1}.accounts .detail{grid-column:1/-1}}
.actions{display:flex;flex-wrap:wrap;gap:12px;margin-top:24px}
.back{display:flex;justify-content:center;margin-top:24px}
.back a{display:inline-flex;align-items:center;min-height:44px;padding:0 8px}
.privacy{margin-top:24px;font-size:18px}
`;

interface LayoutOptions {
  lang: Lang;
  title: string;
  /** Link to the same page in the other language. */
  switchHref?: string | undefined;
  body: string;
}

function layout({ lang, title, switchHref, body }: LayoutOptions): string {
  const other = messages[lang];
  const skip = lang === 'en' ? 'Skip to the main content' : '跳到主要内容';
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(other.brand)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">${skip}</a>
<header><div class="bar">
<a class="brand" href="/"><span class="logo" aria-hidden="true">海</span>${escapeHtml(other.brand)}</a>
${switchHref ? `<a class="lang" href="${escapeHtml(switchHref)}" lang="${other.otherLangTag}" hreflang="${other.otherLangTag}">${other.otherLang}</a>` : ''}
</div></header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`;
}

export interface DemoAccount {
  subject: string;
  name: string;
  /** Short lines under the name (role, login name; masked identity number, district). */
  details: string[];
}

export interface SignInPageOptions {
  lang: Lang;
  /** Form targets: password sign-in, demo sign-in, cancel. */
  loginAction: string;
  demoAction: string;
  abortAction: string;
  switchHref: string;
  error?: MessageKey | undefined;
  login?: string | undefined;
  demo?: { staff: DemoAccount[]; residents: DemoAccount[] } | undefined;
}

function demoList(lang: Lang, heading: string, accounts: DemoAccount[], action: string, prefix: string): string {
  if (accounts.length === 0) return '';
  const items = accounts.map((account, index) => {
    const id = `${prefix}-${index}`;
    const details = account.details.map((line) => `<span class="piece">${escapeHtml(line)}</span>`).join('<span aria-hidden="true"> · </span>');
    return `<li>
<span class="name" id="${id}-name">${escapeHtml(account.name)}</span>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="subject" value="${escapeHtml(account.subject)}">
<input type="hidden" name="lang" value="${lang}">
<button class="button secondary" type="submit" aria-describedby="${id}-name ${id}-detail">${t(lang, 'demoButton')}</button>
</form>
<span class="detail" id="${id}-detail">${details}</span>
</li>`;
  });
  return `<h3>${escapeHtml(heading)}</h3>\n<ul class="accounts">\n${items.join('\n')}\n</ul>`;
}

/** The sign-in page of the built-in provider. */
export function signInPage(options: SignInPageOptions): string {
  const { lang, error } = options;
  const invalid = error === 'errorCredentials' || error === 'errorMissing' || error === 'errorTooMany';
  const fieldState = invalid ? ' aria-invalid="true" aria-describedby="signin-error"' : '';
  const demo = options.demo && (options.demo.staff.length > 0 || options.demo.residents.length > 0)
    ? `<section class="card" aria-labelledby="demo-heading">
<h2 id="demo-heading">${t(lang, 'demoHeading')}<span class="badge">${t(lang, 'demoBadge')}</span></h2>
<p class="hint">${t(lang, 'demoIntro')}</p>
${demoList(lang, t(lang, 'demoResidents'), options.demo.residents, options.demoAction, 'demo-resident')}
${demoList(lang, t(lang, 'demoStaff'), options.demo.staff, options.demoAction, 'demo-staff')}
</section>`
    : '';
  const body = `<h1>${t(lang, 'signInTitle')}</h1>
<p class="lead">${t(lang, 'signInIntro')}</p>
<section class="card" aria-labelledby="password-heading">
<h2 id="password-heading">${t(lang, 'passwordHeading')}</h2>
${error ? `<p class="error" id="signin-error" role="alert">${t(lang, error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.loginAction)}">
<input type="hidden" name="lang" value="${lang}">
<label for="login">${t(lang, 'loginLabel')}</label>
<input type="text" id="login" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" value="${escapeHtml(options.login ?? '')}"${fieldState}>
<label for="password">${t(lang, 'passwordLabel')}</label>
<input type="password" id="password" name="password" autocomplete="current-password" maxlength="256"${fieldState}>
<button class="button primary wide" type="submit">${t(lang, 'submit')}</button>
</form>
</section>
${demo}
<p class="hint privacy">${t(lang, 'privacy')}</p>
<form class="back" method="post" action="${escapeHtml(options.abortAction)}">
<input type="hidden" name="lang" value="${lang}">
<button class="button secondary" type="submit">${t(lang, 'cancel')}</button>
</form>`;
  return layout({ lang, title: t(lang, 'signInTitle'), switchHref: options.switchHref, body });
}

export interface MessagePageOptions {
  lang: Lang;
  title: MessageKey;
  message: MessageKey | string;
  actions: { href: string; label: MessageKey; primary?: boolean }[];
  switchHref?: string | undefined;
  /** Extra HTML (already escaped), e.g. a confirmation form. */
  extra?: string;
}

/** A short page: a heading, one sentence and the ways on (errors, cancelled or expired sign-in). */
export function messagePage(options: MessagePageOptions): string {
  const { lang } = options;
  const message = options.message in messages[lang] ? t(lang, options.message as MessageKey) : options.message;
  const actions = options.actions
    .map((action) => `<a class="button ${action.primary ? 'primary' : 'secondary'}" href="${escapeHtml(action.href)}">${t(lang, action.label)}</a>`)
    .join('\n');
  const body = `<h1>${t(lang, options.title)}</h1>
<section class="card">
<p>${escapeHtml(message)}</p>
${options.extra ?? ''}
${actions ? `<div class="actions">${actions}</div>` : ''}
</section>`;
  return layout({ lang, title: t(lang, options.title), switchHref: options.switchHref, body });
}

/** Role names shown next to demo staff. */
export const roleLabels: Record<string, Record<Lang, string>> = {
  citizen: { 'zh-CN': '居民', en: 'Resident' },
  admin_platform: { 'zh-CN': '平台管理员', en: 'Platform administrator' },
  admin_subsidies: { 'zh-CN': '补贴管理员', en: 'Subsidy administrator' },
  admin_halls: { 'zh-CN': '窗口服务管理员', en: 'Halls administrator' },
  admin_credentials: { 'zh-CN': '证照管理员', en: 'Credentials administrator' },
  admin_cases: { 'zh-CN': '办件管理员', en: 'Cases administrator' },
  admin_transparency: { 'zh-CN': '信息公开管理员', en: 'Transparency administrator' },
  window_officer: { 'zh-CN': '窗口工作人员', en: 'Window officer' },
  lobby_officer: { 'zh-CN': '大厅引导员', en: 'Lobby officer' },
  hall_manager: { 'zh-CN': '大厅负责人', en: 'Hall manager' },
  merchant: { 'zh-CN': '商户收银员', en: 'Merchant cashier' },
  verifier: { 'zh-CN': '核验人员', en: 'Verifier' },
  case_handler_city: { 'zh-CN': '市级办件人员', en: 'City case handler' },
  case_handler_district: { 'zh-CN': '区级办件人员', en: 'District case handler' },
};

/** Tianjin's districts (GB/T 2260), for demo residents' descriptions. */
export const districtNames: Record<string, Record<Lang, string>> = {
  '120101': { 'zh-CN': '和平区', en: 'Heping' },
  '120102': { 'zh-CN': '河东区', en: 'Hedong' },
  '120103': { 'zh-CN': '河西区', en: 'Hexi' },
  '120104': { 'zh-CN': '南开区', en: 'Nankai' },
  '120105': { 'zh-CN': '河北区', en: 'Hebei' },
  '120106': { 'zh-CN': '红桥区', en: 'Hongqiao' },
  '120110': { 'zh-CN': '东丽区', en: 'Dongli' },
  '120111': { 'zh-CN': '西青区', en: 'Xiqing' },
  '120112': { 'zh-CN': '津南区', en: 'Jinnan' },
  '120113': { 'zh-CN': '北辰区', en: 'Beichen' },
  '120114': { 'zh-CN': '武清区', en: 'Wuqing' },
  '120115': { 'zh-CN': '宝坻区', en: 'Baodi' },
  '120116': { 'zh-CN': '滨海新区', en: 'Binhai New Area' },
  '120117': { 'zh-CN': '宁河区', en: 'Ninghe' },
  '120118': { 'zh-CN': '静海区', en: 'Jinghai' },
  '120119': { 'zh-CN': '蓟州区', en: 'Jizhou' },
};
