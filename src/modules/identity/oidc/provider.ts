import Provider, { type Account, type Configuration, type GrantInstance, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Config } from '../../../platform/config.ts';
import type { PlatformContext } from '../../../platform/module.ts';
import { sessionTtlSeconds, type IdentityService, type PersonRow } from '../service.ts';
import { postgresAdapter } from './adapter.ts';
import { claimsFor, scopeClaims } from './claims.ts';
import { cookieKeys, WEB_CLIENT_ID, webClientSecret } from './keys.ts';
import { messagePage, pickLang, t, type Lang } from './pages.ts';

/** Where the built-in provider lives under the platform's public URL. */
export const OIDC_PREFIX = '/oidc';
export const REDIRECT_PATH = '/auth/callback';
/** Clients of the platform itself: consent is implied, no consent screen. */
const FIRST_PARTY_CLIENTS = new Set([WEB_CLIENT_ID]);

export const providerCookieNames = {
  session: 'haihe_op_session',
  interaction: 'haihe_op_interaction',
  resume: 'haihe_op_resume',
} as const;

export function builtInIssuer(config: Config): string {
  return `${config.publicUrl}${OIDC_PREFIX}`;
}

function langOf(ctx: KoaContextWithOIDC): Lang {
  return pickLang(ctx.query?.lang, ctx.oidc?.params?.ui_locales);
}

/** The account of a person: the provider asks for claims with the scopes the relying party was granted. */
function accountOf(person: PersonRow, identity: IdentityService): Account {
  return {
    accountId: person.id,
    claims(_use, scope) {
      const scopes = new Set(String(scope ?? '').split(' '));
      if (person.kind !== 'resident') return claimsFor(person.id, { name: person.name }, scopes);
      return claimsFor(person.id, {
        name: person.name,
        idNumber: () => identity.revealIdNumber(person),
        phone: () => (person.phone_sealed ? identity.cipher.decrypt(person.phone_sealed, 'people.phone') : undefined),
        districtCode: person.district_code,
      }, scopes);
    },
  };
}

/** For the platform's own clients the grant covers whatever OpenID scopes they ask for. */
async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<GrantInstance | undefined> {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const accountId = oidc.session.accountId!;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== accountId || grant.clientId !== clientId)) grant = undefined;
  if (!FIRST_PARTY_CLIENTS.has(clientId)) return grant;
  grant ??= new oidc.provider.Grant({ accountId, clientId });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  await grant.save();
  return grant;
}

export interface ProviderOptions {
  context: PlatformContext;
  identity: IdentityService;
  signingKeys: { keys: JWK[] };
}

/**
 * The built-in OpenID Connect provider (oidc-provider): accounts are the people table, one static
 * client (the platform's web pages, PKCE required), state in PostgreSQL, cookies signed with a key
 * derived from the keyring. Sign-in pages are the platform's own (interaction routes).
 */
export function createProvider({ context, identity, signingKeys }: ProviderOptions): Provider {
  const { config } = context;
  const secure = config.publicUrl.startsWith('https:');
  const configuration: Configuration = {
    adapter: postgresAdapter(context.database, context.clock),
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: webClientSecret(context.keys),
        client_name: '海河市民服务',
        redirect_uris: [`${config.publicUrl}${REDIRECT_PATH}`],
        post_logout_redirect_uris: [`${config.publicUrl}/`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    claims: { acr: null, auth_time: null, iss: null, sid: null, ...scopeClaims },
    scopes: ['openid'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    conformIdTokenClaims: true,
    async findAccount(_ctx, sub) {
      const person = await identity.findPerson(sub);
      return person ? accountOf(person, identity) : undefined;
    },
    loadExistingGrant,
    interactions: { url: (_ctx, interaction) => `${OIDC_PREFIX}/interaction/${interaction.uid}` },
    cookies: {
      keys: cookieKeys(context.keys),
      names: { ...providerCookieNames },
      long: { httpOnly: true, sameSite: 'lax', secure, path: OIDC_PREFIX },
      short: { httpOnly: true, sameSite: 'lax', secure },
    },
    jwks: { keys: signingKeys.keys as Record<string, unknown>[] },
    enabledJWA: { idTokenSigningAlgValues: [...new Set(signingKeys.keys.map((key) => key.alg!))] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      // Elderly people may take their time on the sign-in page.
      Interaction: 3600,
      Session: sessionTtlSeconds,
      Grant: sessionTtlSeconds,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          const lang = langOf(ctx);
          ctx.type = 'html';
          ctx.body = messagePage({
            lang,
            title: 'logoutTitle',
            message: 'logoutQuestion',
            actions: [],
            extra: `${form}<div class="actions"><button class="button primary" type="submit" form="op.logoutForm" name="logout" value="yes">${t(lang, 'logoutYes')}</button>`
              + `<button class="button secondary" type="submit" form="op.logoutForm">${t(lang, 'logoutNo')}</button></div>`,
          });
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = messagePage({ lang: langOf(ctx), title: 'signedOutTitle', message: 'signedOut', actions: [{ href: '/', label: 'home', primary: true }] });
        },
      },
    },
    clientBasedCORS: () => false,
    async renderError(ctx, out, error) {
      const lang = langOf(ctx);
      context.logger.warn({ error: out.error, description: out.error_description, err: (ctx.status ?? 500) >= 500 ? error : undefined }, 'sign-in provider refused a request');
      ctx.type = 'html';
      ctx.body = messagePage({
        lang,
        title: 'errorTitle',
        message: lang === 'en' ? `${t(lang, 'providerError')} (${out.error})` : `${t(lang, 'providerError')}（${out.error}）`,
        actions: [{ href: '/auth/login', label: 'retry', primary: true }, { href: '/', label: 'home' }],
      });
    },
  };
  const provider = new Provider(builtInIssuer(config), configuration);
  // The mount rewrites X-Forwarded-Host/Proto/For itself, so the provider always sees the public URL.
  provider.proxy = true;
  provider.on('server_error', (_ctx: unknown, error: unknown) => context.logger.error({ err: error }, 'sign-in provider failed'));
  provider.on('error', (error: unknown) => context.logger.error({ err: error }, 'sign-in provider failed'));
  return provider;
}
