import crypto from 'node:crypto';
import type { FastifyReply } from 'fastify';
import * as client from 'openid-client';
import { Type } from 'typebox';
import { hallStaffRoles, type Role } from '../../../platform/access.ts';
import { civilDate } from '../../../platform/civil-time.ts';
import type { App } from '../../../platform/http/server.ts';
import type { PlatformContext } from '../../../platform/module.ts';
import { validateIdNumber } from '../rules/id-number.ts';
import { CSRF_COOKIE, SESSION_COOKIE, sessionTtlSeconds, type IdentityService, type PersonRow } from '../service.ts';
import { builtInScopes, externalScopes, mapClaims } from './claims.ts';
import { deriveSecret, WEB_CLIENT_ID, webClientSecret } from './keys.ts';
import { messagePage, pickLang, type Lang, type MessageKey } from './pages.ts';
import { builtInIssuer, OIDC_PREFIX, REDIRECT_PATH } from './provider.ts';

/** PKCE verifier, state and nonce travel in this signed cookie between /auth/login and /auth/callback. */
export const AUTH_STATE_COOKIE = 'haihe_auth';
const AUTH_STATE_TTL_SECONDS = 600;
const MAX_RETURN_TO = 2048;

interface AuthState {
  /** state, nonce, PKCE code verifier */
  s: string;
  n: string;
  v: string;
  /** where to go afterwards (already checked), or null for the role's home */
  r: string | null;
  l: Lang;
  /** expiry, seconds since the epoch */
  e: number;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * A same-origin path to return to after sign-in, or undefined: absolute URLs, scheme-relative
 * `//host`, backslashes, control characters and the sign-in routes themselves are refused.
 */
export function safeReturnTo(value: string | undefined, publicUrl: string): string | undefined {
  if (!value || value.length > MAX_RETURN_TO || !value.startsWith('/') || value.startsWith('//')) return undefined;
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return undefined;
  const origin = new URL(publicUrl).origin;
  let parsed: URL;
  try {
    parsed = new URL(value, origin);
  } catch {
    return undefined;
  }
  if (parsed.origin !== origin) return undefined;
  if (/^\/(auth|oidc)(\/|$)/.test(parsed.pathname)) return undefined;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** Where a person lands by default: residents the citizen app, counter staff the counter, the rest the console. */
export function homeFor(roles: readonly Role[]): string {
  if (roles.some((role) => role.startsWith('admin_') || role.startsWith('case_handler_'))) return '/console';
  if (roles.some((role) => hallStaffRoles.includes(role) || role === 'merchant' || role === 'verifier')) return '/counter';
  return '/citizen';
}

const MeSchema = Type.Object({
  subject: Type.String(),
  kind: Type.Union([Type.Literal('person'), Type.Literal('client')]),
  roles: Type.Array(Type.String()),
  name: Type.Optional(Type.String()),
  idNumberMasked: Type.Optional(Type.String()),
  phoneMasked: Type.Optional(Type.String()),
  districtCode: Type.Optional(Type.String()),
  hallId: Type.Optional(Type.String()),
  organisationId: Type.Optional(Type.String()),
});

class SignInFailure extends Error {
  constructor(readonly reason: MessageKey, readonly status: number, cause?: unknown) {
    super(reason, { cause });
  }
}

/**
 * The platform as an OpenID Connect relying party (openid-client): sign-in through the built-in
 * provider, or through a city's own provider when OIDC_ISSUER is set; the result is the platform's
 * session cookie and a CSRF cookie.
 */
export async function registerRelyingParty(app: App, context: PlatformContext, identity: IdentityService): Promise<void> {
  const { config } = context;
  const external = config.oidc.issuer !== undefined;
  const issuer = config.oidc.issuer ?? builtInIssuer(config);
  const clientId = external ? config.oidc.clientId! : WEB_CLIENT_ID;
  const clientSecret = external ? config.oidc.clientSecret! : webClientSecret(context.keys);
  const redirectUri = `${config.publicUrl}${REDIRECT_PATH}`;
  const publicOrigin = new URL(config.publicUrl).origin;
  const secure = config.publicUrl.startsWith('https:') ? '; Secure' : '';
  const stateKey = deriveSecret(context.keys, 'auth state cookie');

  /** Requests to the built-in provider stay inside the process: the platform need not reach its own public URL. */
  const inProcessFetch: client.CustomFetch = async (url, options) => {
    const target = new URL(url);
    if (target.origin !== publicOrigin || !(target.pathname === OIDC_PREFIX || target.pathname.startsWith(`${OIDC_PREFIX}/`))) {
      return fetch(url, options as RequestInit);
    }
    const body = options.body;
    const payload = body === undefined || body === null ? undefined
      : typeof body === 'string' ? body
        : body instanceof URLSearchParams ? body.toString()
          : body instanceof Uint8Array ? Buffer.from(body)
            : body instanceof ArrayBuffer ? Buffer.from(body) : undefined;
    const response = await app.inject({
      method: options.method as 'GET',
      url: `${target.pathname}${target.search}`,
      headers: { ...options.headers, host: target.host },
      ...(payload !== undefined ? { payload } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item));
    }
    const empty = [204, 205, 304].includes(response.statusCode);
    return new Response(empty ? null : response.rawPayload, { status: response.statusCode, headers });
  };

  let discovered: Promise<client.Configuration> | undefined;
  function configuration(): Promise<client.Configuration> {
    discovered ??= client.discovery(
      new URL(issuer),
      clientId,
      external ? { redirect_uris: [redirectUri] } : { redirect_uris: [redirectUri], id_token_signed_response_alg: 'ES256' },
      client.ClientSecretBasic(clientSecret),
      {
        ...(external ? {} : { [client.customFetch]: inProcessFetch }),
        ...(issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {}),
      },
    ).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  }

  function sign(state: AuthState): string {
    const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${payload}.${crypto.createHmac('sha256', stateKey).update(payload).digest('base64url')}`;
  }

  function verify(value: string | undefined): AuthState | undefined {
    if (!value) return undefined;
    const [payload, signature] = value.split('.');
    if (!payload || !signature) return undefined;
    const expected = crypto.createHmac('sha256', stateKey).update(payload).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AuthState;
      return state.e > Math.floor(context.clock.now().getTime() / 1000) ? state : undefined;
    } catch {
      return undefined;
    }
  }

  const clearState = `${AUTH_STATE_COOKIE}=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
  const clearSession = [
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`,
    `${CSRF_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0${secure}`,
  ];

  function failurePage(reply: FastifyReply, lang: Lang, reason: MessageKey, status: number, returnTo?: string | null): FastifyReply {
    const query = new URLSearchParams({ ...(returnTo ? { returnTo } : {}), ...(lang === 'en' ? { lang } : {}) }).toString();
    const retry = `${config.publicUrl}/auth/login${query ? `?${query}` : ''}`;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(messagePage({
        lang,
        title: reason === 'cancelled' ? 'signInTitle' : 'failedTitle',
        message: reason,
        actions: [{ href: retry, label: 'retry', primary: true }, { href: '/', label: 'home' }],
      }));
  }

  /** A city provider's person: by (issuer, subject), else by identity number, else a new resident. */
  async function externalPerson(config: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<PersonRow> {
    const claims = tokens.claims()!;
    const subject = claims.sub;
    const [linked] = await context.database.query<PersonRow>(
      'SELECT * FROM people WHERE oidc_issuer = $1 AND oidc_subject = $2', [issuer, subject],
    );
    if (linked) return linked;
    let all: Record<string, unknown> = { ...claims };
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      all = { ...all, ...(await client.fetchUserInfo(config, tokens.access_token, subject)) };
    }
    const mapped = mapClaims(all);
    if (!mapped.idNumber) throw new SignInFailure('idNumberMissing', 403);
    const check = validateIdNumber(mapped.idNumber, civilDate(context.clock.now()));
    if (!check.valid) throw new SignInFailure('idNumberInvalid', 403);
    const existing = await identity.findByIdNumber(check.normalised);
    if (existing) {
      // Link the person to this provider's subject (once), so the next sign-in finds them directly.
      await context.database.execute(
        `UPDATE people SET oidc_issuer = $2, oidc_subject = $3, updated_at = now() WHERE id = $1 AND oidc_issuer IS NULL
           AND NOT EXISTS (SELECT 1 FROM people WHERE oidc_issuer = $2 AND oidc_subject = $3)`,
        [existing.id, issuer, subject],
      );
      return existing;
    }
    if (!mapped.name) throw new SignInFailure('nameMissing', 403);
    return context.database.transaction((tx) => identity.createResident(tx, {
      name: mapped.name!,
      idNumber: check.normalised,
      phone: mapped.phone,
      districtCode: mapped.districtCode,
      oidc: { issuer, subject },
    }, { subject: 'identity.oidc', role: 'system' }));
  }

  app.get(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        querystring: Type.Object(
          { returnTo: Type.Optional(Type.String({ maxLength: MAX_RETURN_TO })), lang: Type.Optional(Type.String({ maxLength: 35 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      // Chinese unless the web app passes the person's choice (as it does for its own pages).
      const lang = pickLang(request.query.lang);
      const returnTo = safeReturnTo(request.query.returnTo, config.publicUrl) ?? null;
      let rp: client.Configuration;
      try {
        rp = await configuration();
      } catch (error) {
        request.log.error({ err: error, issuer }, 'the identity provider cannot be reached');
        return failurePage(reply, lang, 'providerUnavailable', 503, returnTo);
      }
      const verifier = client.randomPKCECodeVerifier();
      const state: AuthState = {
        s: client.randomState(),
        n: client.randomNonce(),
        v: verifier,
        r: returnTo,
        l: lang,
        e: Math.floor(context.clock.now().getTime() / 1000) + AUTH_STATE_TTL_SECONDS,
      };
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri,
        scope: (external ? externalScopes : builtInScopes).join(' '),
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: state.s,
        nonce: state.n,
        ui_locales: lang,
        // The built-in provider always asks: halls share computers, and the platform is its only client.
        ...(external ? {} : { prompt: 'login' }),
      });
      return reply
        .header('cache-control', 'no-store')
        .header('set-cookie', `${AUTH_STATE_COOKIE}=${sign(state)}; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=${AUTH_STATE_TTL_SECONDS}${secure}`)
        .redirect(url.href, 303);
    },
  );

  const optionalText = Type.Optional(Type.String({ maxLength: 4096 }));
  app.get(
    REDIRECT_PATH,
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        // Providers may add parameters of their own (session_state…), so others are allowed.
        querystring: Type.Object({ code: optionalText, state: optionalText, iss: optionalText, error: optionalText, error_description: optionalText }),
      },
    },
    async (request, reply) => {
      const stored = verify(readCookie(request.headers.cookie, AUTH_STATE_COOKIE));
      reply.header('set-cookie', clearState);
      const lang = stored?.l ?? 'zh-CN';
      if (!stored) return failurePage(reply, lang, 'stateInvalid', 400);
      if (request.query.error) {
        if (request.query.error === 'access_denied') return reply.header('cache-control', 'no-store').redirect('/', 303);
        request.log.warn({ error: request.query.error, description: request.query.error_description }, 'the identity provider refused the sign-in');
        return failurePage(reply, lang, 'providerError', 400, stored.r);
      }
      let person: PersonRow | undefined;
      try {
        const rp = await configuration();
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
        const tokens = await client.authorizationCodeGrant(rp, new URL(`${redirectUri}${query}`), {
          pkceCodeVerifier: stored.v,
          expectedState: stored.s,
          expectedNonce: stored.n,
          idTokenExpected: true,
        });
        person = external ? await externalPerson(rp, tokens) : await identity.findPerson(tokens.claims()!.sub);
        if (!person) throw new SignInFailure('accountMissing', 403);
      } catch (error) {
        if (error instanceof SignInFailure) {
          request.log.warn({ reason: error.reason }, 'sign-in refused');
          return failurePage(reply, lang, error.reason, error.status, stored.r);
        }
        const code = (error as { code?: string }).code;
        request.log.warn({ err: error, code }, 'sign-in callback refused');
        const reason: MessageKey = code === 'OAUTH_INVALID_RESPONSE' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error instanceof client.ResponseBodyError
          ? 'stateInvalid' : 'providerError';
        return failurePage(reply, lang, reason, 400, stored.r);
      }
      const { token } = identity.issuePersonToken(person, sessionTtlSeconds);
      const csrf = crypto.randomBytes(32).toString('base64url');
      request.log.info({ subject: person.id, issuer: external ? issuer : 'built-in' }, 'signed in');
      return reply
        .header('cache-control', 'no-store')
        .header('set-cookie', [
          `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax${secure}`,
          `${CSRF_COOKIE}=${csrf}; Path=/; SameSite=Lax${secure}`,
        ])
        .redirect(stored.r ?? homeFor(person.roles), 303);
    },
  );

  app.get(
    '/auth/session',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        response: { 200: Type.Object({ signedIn: Type.Boolean(), me: Type.Optional(MeSchema), csrfToken: Type.Optional(Type.String()) }) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const cookie = request.headers.cookie;
      const principal = cookie ? await identity.authenticate({ cookie }) : undefined;
      const person = principal?.kind === 'person' ? await identity.findPerson(principal.subject) : undefined;
      if (!person) return { signedIn: false };
      let csrfToken = readCookie(cookie, CSRF_COOKIE);
      if (!csrfToken) {
        csrfToken = crypto.randomBytes(32).toString('base64url');
        reply.header('set-cookie', `${CSRF_COOKIE}=${csrfToken}; Path=/; SameSite=Lax${secure}`);
      }
      return { signedIn: true, me: identity.personDto(person), csrfToken };
    },
  );

  app.get(
    '/auth/logout',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const claims = token ? identity.sessionOf(token) : undefined;
      if (claims) await identity.revokeSession(claims.sub, claims.sid, new Date(claims.exp * 1000));
      reply.header('cache-control', 'no-store').header('set-cookie', [...clearSession, clearState]);
      if (!external) return reply.redirect(`${OIDC_PREFIX}/signout`, 303);
      try {
        const rp = await configuration();
        if (rp.serverMetadata().end_session_endpoint) {
          return reply.redirect(client.buildEndSessionUrl(rp, { post_logout_redirect_uri: `${config.publicUrl}/` }).href, 303);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'the identity provider cannot be reached to sign out there');
      }
      return reply.redirect('/', 303);
    },
  );
}
