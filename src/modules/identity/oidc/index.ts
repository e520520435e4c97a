import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/http/server.ts';
import type { PlatformContext } from '../../../platform/module.ts';
import type { IdentityService } from '../service.ts';
import { endProviderSession, pruneOidcPayloads } from './adapter.ts';
import { registerInteractions } from './interaction.ts';
import { loadSigningKeys } from './keys.ts';
import { createProvider, OIDC_PREFIX, providerCookieNames } from './provider.ts';
import { registerRelyingParty } from './relying-party.ts';

export { claimMapping } from './claims.ts';
export { WEB_CLIENT_ID, webClientSecret } from './keys.ts';
export { builtInIssuer } from './provider.ts';

/**
 * Sign-in by OpenID Connect: the built-in provider under /oidc (with its sign-in pages) and the
 * platform as relying party under /auth. Registered on the root app, outside /api/v1: these are
 * browser pages and protocol endpoints, not part of the API contract, so they are hidden from the
 * OpenAPI document.
 */
export async function registerOidc(app: App, context: PlatformContext, identity: IdentityService): Promise<void> {
  const { config } = context;
  const provider = createProvider({ context, identity, signingKeys: await loadSigningKeys(config) });
  const handle = provider.callback();
  const publicUrl = new URL(config.publicUrl);
  const secure = publicUrl.protocol === 'https:' ? '; Secure' : '';

  await app.register(async (scope) => {
    // The provider reads request bodies itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const passThrough = async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      const original = raw.url ?? OIDC_PREFIX;
      const rest = original.slice(OIDC_PREFIX.length);
      raw.originalUrl = original;
      raw.url = rest.startsWith('/') ? rest : `/${rest}`;
      // The provider builds its URLs from these: always the public URL, whatever the request said.
      raw.headers['x-forwarded-host'] = publicUrl.host;
      raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
      raw.headers['x-forwarded-for'] = request.ip;
      reply.hijack();
      await handle(raw, reply.raw);
    };
    const options = { config: { access: 'public' as const }, schema: { hide: true } };
    scope.all(OIDC_PREFIX, options, passThrough);
    scope.all(`${OIDC_PREFIX}/*`, options, passThrough);
  });

  // Ends the provider's own session (after /auth/logout ended the platform's): its cookie lives under /oidc.
  app.get(`${OIDC_PREFIX}/signout`, { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const name = providerCookieNames.session;
    const sessionId = provider.createContext(request.raw, reply.raw).cookies.get(name, { signed: true });
    if (sessionId) await endProviderSession(context.database, sessionId);
    return reply
      .header('cache-control', 'no-store')
      .header('set-cookie', [
        `${name}=; Path=${OIDC_PREFIX}; HttpOnly; SameSite=Lax; Max-Age=0${secure}`,
        `${name}.sig=; Path=${OIDC_PREFIX}; HttpOnly; SameSite=Lax; Max-Age=0${secure}`,
      ])
      .redirect('/', 303);
  });

  await registerInteractions(app, context, identity, provider);
  await registerRelyingParty(app, context, identity);

  context.jobs.schedule(
    { name: 'identity.oidc.prune', next: (after) => new Date(Math.floor(after.getTime() / 3_600_000) * 3_600_000 + 3_600_000) },
    async () => {
      await pruneOidcPayloads(context.database, context.clock.now());
    },
  );
}
