import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { Type } from 'typebox';
import type { App } from '../../../platform/http/server.ts';
import type { PlatformContext } from '../../../platform/module.ts';
import { demoStaff } from '../demo.ts';
import { maskIdNumber } from '../rules/masking.ts';
import type { IdentityService, PersonRow } from '../service.ts';
import { OIDC_PREFIX } from './provider.ts';
import { districtNames, messagePage, pickLang, roleLabels, signInPage, t, type DemoAccount, type Lang, type MessageKey } from './pages.ts';

const DEMO_RESIDENTS_SHOWN = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;
const FAILURES_ALLOWED = 5;

const UidParams = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 35 })) }, { additionalProperties: false });
const LangField = Type.Optional(Type.String({ maxLength: 35 }));
const LoginForm = Type.Object(
  { login: Type.Optional(Type.String({ maxLength: 256 })), password: Type.Optional(Type.String({ maxLength: 1024 })), lang: LangField },
  { additionalProperties: false },
);
const DemoForm = Type.Object({ subject: Type.String({ maxLength: 64 }), lang: LangField }, { additionalProperties: false });
const AbortForm = Type.Object({ lang: LangField }, { additionalProperties: false });

/**
 * Wrong passwords per caller and login name: after five in fifteen minutes that pair is refused
 * until the window passes (per process; enough to slow guessing without locking staff out for long).
 */
class FailureCounter {
  readonly #failures = new Map<string, number[]>();

  #recent(key: string, now: number): number[] {
    const recent = (this.#failures.get(key) ?? []).filter((at) => now - at < FAILURE_WINDOW_MS);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }

  blocked(key: string, now: number): boolean {
    return this.#recent(key, now).length >= FAILURES_ALLOWED;
  }

  fail(key: string, now: number): void {
    if (this.#failures.size > 10_000) this.#failures.clear();
    this.#failures.set(key, [...this.#recent(key, now), now]);
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }
}

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** The sign-in page's routes: the provider sends people here and they go back with a result. */
export async function registerInteractions(app: App, context: PlatformContext, identity: IdentityService, provider: Provider): Promise<void> {
  const failures = new FailureCounter();
  const base = (uid: string) => `${OIDC_PREFIX}/interaction/${encodeURIComponent(uid)}`;

  async function interactionOf(request: FastifyRequest, reply: FastifyReply, uid: string): Promise<InteractionDetails | undefined> {
    try {
      const found = await provider.interactionDetails(request.raw, reply.raw);
      return found.uid === uid ? found : undefined;
    } catch (error) {
      // No interaction cookie, or the interaction (or its session) has expired: not a fault.
      if (error instanceof Error && error.name === 'SessionNotFound') return undefined;
      throw error;
    }
  }

  function expired(reply: FastifyReply, lang: Lang): FastifyReply {
    return html(reply, messagePage({
      lang,
      title: 'failedTitle',
      message: 'expired',
      actions: [{ href: lang === 'en' ? '/auth/login?lang=en' : '/auth/login', label: 'retry', primary: true }, { href: '/', label: 'home' }],
    }), 400);
  }

  async function demoAccounts(lang: Lang): Promise<{ staff: DemoAccount[]; residents: DemoAccount[] } | undefined> {
    if (!context.config.demo) return undefined;
    const logins = demoStaff.map((staff) => staff.login);
    const staffRows = await context.database.query<PersonRow>(
      `SELECT * FROM people WHERE demo AND kind = 'staff' AND login = ANY($1::text[])`, [logins],
    );
    const residentIds = Array.from({ length: DEMO_RESIDENTS_SHOWN }, (_, index) => `p_demo_${String(index).padStart(7, '0')}`);
    const residentRows = await context.database.query<PersonRow>(
      `SELECT * FROM people WHERE demo AND kind = 'resident' AND id = ANY($1::text[]) ORDER BY id`, [residentIds],
    );
    const staff = staffRows
      .sort((a, b) => logins.indexOf(a.login ?? '') - logins.indexOf(b.login ?? ''))
      .map((person) => ({
        subject: person.id,
        name: person.name,
        details: [
          person.roles.map((role) => roleLabels[role]?.[lang] ?? role).join('、'),
          `${t(lang, 'demoLogin')} ${person.login}`,
        ],
      }));
    const residents = residentRows.map((person) => {
      const idNumber = identity.revealIdNumber(person);
      const district = person.district_code ? districtNames[person.district_code]?.[lang] : undefined;
      return {
        subject: person.id,
        name: person.name,
        details: [idNumber ? `${t(lang, 'demoIdNumber')} ${maskIdNumber(idNumber)}` : undefined, district]
          .filter((line): line is string => Boolean(line)),
      };
    });
    return { staff, residents };
  }

  async function page(reply: FastifyReply, uid: string, lang: Lang, extra: { error?: MessageKey; login?: string } = {}, status = 200) {
    const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
    return html(reply, signInPage({
      lang,
      loginAction: `${base(uid)}/login`,
      demoAction: `${base(uid)}/demo`,
      abortAction: `${base(uid)}/abort`,
      switchHref: `${base(uid)}?lang=${other}`,
      demo: await demoAccounts(lang),
      ...extra,
    }), status);
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, person: PersonRow, method: 'pwd' | 'demo') {
    const returnTo = await provider.interactionResult(
      request.raw,
      reply.raw,
      { login: { accountId: person.id, amr: [method] } },
      { mergeWithLastSubmission: false },
    );
    request.log.info({ subject: person.id, method }, 'signed in at the built-in provider');
    return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
  }

  await app.register(async (plugin) => {
    const scope = plugin as unknown as App;
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    scope.get(
      `${OIDC_PREFIX}/interaction/:uid`,
      { config: { access: 'public' }, schema: { hide: true, params: UidParams, querystring: LangQuery } },
      async (request, reply) => {
        const found = await interactionOf(request, reply, request.params.uid);
        const lang = pickLang(request.query.lang, found?.params.ui_locales);
        if (!found) return expired(reply, lang);
        if (found.prompt.name !== 'login') {
          // Only the platform's own client uses this provider, and its consent is implied.
          request.log.warn({ prompt: found.prompt }, 'sign-in provider asked for an unsupported prompt');
          return expired(reply, lang);
        }
        return page(reply, found.uid, lang);
      },
    );

    scope.post(
      `${OIDC_PREFIX}/interaction/:uid/login`,
      { config: { access: 'public' }, schema: { hide: true, params: UidParams, body: LoginForm } },
      async (request, reply) => {
        const lang = pickLang(request.body.lang);
        const found = await interactionOf(request, reply, request.params.uid);
        if (!found) return expired(reply, lang);
        const login = (request.body.login ?? '').trim();
        const password = request.body.password ?? '';
        if (login === '' || password === '') return page(reply, found.uid, lang, { error: 'errorMissing', login });
        const key = `${request.ip}\n${login.toLowerCase()}`;
        const now = Date.now();
        if (failures.blocked(key, now)) return page(reply, found.uid, lang, { error: 'errorTooMany', login }, 429);
        const person = await identity.checkPassword(login, password);
        if (!person) {
          failures.fail(key, now);
          request.log.info({ ip: request.ip }, 'sign-in with a wrong login name or password');
          return page(reply, found.uid, lang, { error: 'errorCredentials', login });
        }
        failures.clear(key);
        return finish(request, reply, person, 'pwd');
      },
    );

    if (context.config.demo) {
      scope.post(
        `${OIDC_PREFIX}/interaction/:uid/demo`,
        { config: { access: 'public' }, schema: { hide: true, params: UidParams, body: DemoForm } },
        async (request, reply) => {
          const lang = pickLang(request.body.lang);
          const found = await interactionOf(request, reply, request.params.uid);
          if (!found) return expired(reply, lang);
          const person = await identity.findPerson(request.body.subject);
          if (!person?.demo) return page(reply, found.uid, lang, { error: 'errorDemo' });
          return finish(request, reply, person, 'demo');
        },
      );
    }

    scope.post(
      `${OIDC_PREFIX}/interaction/:uid/abort`,
      { config: { access: 'public' }, schema: { hide: true, params: UidParams, body: AbortForm } },
      async (request, reply) => {
        const found = await interactionOf(request, reply, request.params.uid);
        if (!found) return reply.redirect('/', 303);
        const returnTo = await provider.interactionResult(
          request.raw,
          reply.raw,
          { error: 'access_denied', error_description: 'The person chose not to sign in' },
          { mergeWithLastSubmission: false },
        );
        return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
      },
    );
  });
}
