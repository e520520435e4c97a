import { Type } from 'typebox';
import { roles as allRoles, type Role } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http/server.ts';
import type { PlatformContext } from '../../platform/module.ts';
import { civilDate } from '../../platform/civil-time.ts';
import { demoRoles, demoTokens, type DemoRole } from './demo.ts';
import { TIANJIN_DISTRICT_CODES, validateIdNumber } from './rules/id-number.ts';
import { maskIdNumber } from './rules/masking.ts';
import { CSRF_COOKIE, SESSION_COOKIE, type IdentityService } from './service.ts';

const signedIn = { roles: allRoles } as const;
const clientAdmins = { roles: ['admin_platform', 'admin_subsidies', 'admin_halls', 'admin_credentials'] as Role[] };

const MeSchema = Type.Object({
  subject: Type.String(),
  kind: Type.Union([Type.Literal('person'), Type.Literal('client')]),
  roles: Type.Array(Type.String()),
  name: Type.Optional(Type.String()),
  idNumberMasked: Type.Optional(Type.String({ description: 'e.g. 110105********002X' })),
  phoneMasked: Type.Optional(Type.String({ description: 'e.g. 138****8000' })),
  districtCode: Type.Optional(Type.String()),
  hallId: Type.Optional(Type.String()),
  organisationId: Type.Optional(Type.String()),
});

const ClientSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  hallId: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  status: Type.String(),
  secretHint: Type.String(),
  createdAt: Type.String(),
  rotatedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64 }),
    client_id: Type.Optional(Type.String({ maxLength: 64 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
    scope: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

/** Registers identity routes: token endpoint, /me, sign-out, machine clients, demo tokens. */
export function identityRoutes(app: App, context: PlatformContext, identity: IdentityService): void {
  // OAuth 2.0 token requests are form-encoded (RFC 6749 §4.4); the form parser applies to this route only.
  void app.register(async (plain) => {
    const scope = plain as unknown as App;
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

    scope.post(
    '/oauth/token',
    {
      config: { access: 'public' },
      schema: {
        summary: 'OAuth 2.0 client credentials: a bearer token for a merchant till, platform, kiosk or verifier',
        tags: ['identity'],
        body: TokenRequest,
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer(), scope: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.grant_type !== 'client_credentials') throw new AppError('UNSUPPORTED_GRANT_TYPE', 'grant_type must be client_credentials', { error: 'unsupported_grant_type' });
      let clientId = body.client_id;
      let clientSecret = body.client_secret;
      const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        const separator = decoded.indexOf(':');
        clientId = decodeURIComponent(decoded.slice(0, separator));
        clientSecret = decodeURIComponent(decoded.slice(separator + 1));
      }
      if (!clientId || !clientSecret) throw new AppError('INVALID_CLIENT', 'client_id and client_secret are required', { error: 'invalid_client' });
      try {
        const issued = await identity.clientCredentials(clientId, clientSecret);
        reply.header('cache-control', 'no-store');
        return { access_token: issued.token, token_type: 'Bearer' as const, expires_in: issued.expiresIn, scope: issued.client.roles.join(' ') };
      } catch (error) {
        if (error instanceof AppError) throw new AppError(error.code, error.message, { error: 'invalid_client' });
        throw error;
      }
    },
  );

  });

  app.get(
    '/me',
    {
      config: { access: signedIn },
      schema: { summary: 'Who am I: the signed-in person or client, personal data masked', tags: ['identity'], response: { 200: MeSchema } },
    },
    async (request) => {
      const principal = request.principal!;
      if (principal.kind === 'client') {
        const [client] = (await identity.listClients()).filter((candidate) => candidate.id === principal.subject);
        return {
          subject: principal.subject,
          kind: 'client' as const,
          roles: [...principal.roles],
          ...(client ? { name: client.name } : {}),
          ...(principal.organisationId ? { organisationId: principal.organisationId } : {}),
          ...(principal.hallId ? { hallId: principal.hallId } : {}),
        };
      }
      const person = await identity.findPerson(principal.subject);
      if (!person) throw new AppError('PERSON_NOT_FOUND', 'Your account no longer exists');
      return identity.personDto(person);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: signedIn },
      schema: { summary: 'Sign out: the session or token stops working on every process', tags: ['identity'], response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const cookieToken = request.headers.cookie?.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1);
      const token = bearer ?? (cookieToken ? decodeURIComponent(cookieToken) : undefined);
      const claims = token ? identity.sessionOf(token) : undefined;
      if (claims) await identity.revokeSession(claims.sub, claims.sid, new Date(claims.exp * 1000));
      const secure = context.config.publicUrl.startsWith('https:') ? '; Secure' : '';
      reply.header('set-cookie', [
        `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`,
        `${CSRF_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0${secure}`,
      ]);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/id-numbers/check',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Check an identity number (GB 11643): format, address code, birth date, check character',
        tags: ['identity'],
        body: Type.Object({ idNumber: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ valid: Type.Literal(true), idNumberMasked: Type.String(), addressCode: Type.String(), birthDate: Type.String(), sex: Type.String() }),
        },
      },
    },
    async (request) => {
      const check = validateIdNumber(request.body.idNumber, civilDate(context.clock.now()));
      if (!check.valid) {
        throw new AppError('INVALID_ID_NUMBER', check.message, { check: check.failed, errors: [{ field: 'idNumber', message: check.message }] });
      }
      return { valid: true as const, idNumberMasked: maskIdNumber(check.normalised), addressCode: check.addressCode, birthDate: check.birthDate, sex: check.sex };
    },
  );

  app.post(
    '/admin/residents',
    {
      config: { access: { roles: ['admin_platform'] }, idempotent: true },
      schema: {
        summary: 'Register a resident by real name and identity number (sealed at rest; answered masked)',
        tags: ['identity'],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 64 }),
            idNumber: Type.String({ maxLength: 32 }),
            phone: Type.Optional(Type.String({ maxLength: 20 })),
            districtCode: Type.Optional(Type.Union(TIANJIN_DISTRICT_CODES.map((code) => Type.Literal(code)))),
          },
          { additionalProperties: false },
        ),
        response: { 201: MeSchema },
      },
    },
    async (request, reply) => {
      const actor = { subject: request.principal!.subject, role: 'admin_platform' };
      const person = await context.database.transaction((tx) => identity.createResident(tx, request.body, actor));
      return reply.code(201).send(identity.personDto(person));
    },
  );

  app.get(
    '/admin/clients',
    {
      config: { access: clientAdmins },
      schema: { summary: 'Machine clients (tills, platforms, kiosks, verifiers)', tags: ['identity'], response: { 200: Type.Object({ clients: Type.Array(ClientSchema) }) } },
    },
    async () => ({ clients: (await identity.listClients()).map((client) => identity.clientDto(client)) }),
  );

  app.post(
    '/admin/clients',
    {
      config: { access: clientAdmins, idempotent: true },
      schema: {
        summary: 'Register a machine client; its secret is shown once',
        tags: ['identity'],
        body: Type.Object(
          {
            id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' }),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            kind: Type.Union([Type.Literal('merchant'), Type.Literal('platform'), Type.Literal('kiosk'), Type.Literal('verifier'), Type.Literal('registry')]),
            organisationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            hallId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ client: ClientSchema, secret: Type.String() }) },
      },
    },
    async (request, reply) => {
      const actor = { subject: request.principal!.subject, role: 'admin' };
      const result = await context.database.transaction((tx) => identity.registerClient(tx, request.body, actor));
      return reply.code(201).send({ client: identity.clientDto(result.client), secret: result.secret });
    },
  );

  app.post(
    '/admin/clients/:id/rotate',
    {
      config: { access: clientAdmins, idempotent: true },
      schema: {
        summary: 'Rotate a client secret: the new one is shown once; the old secret and its tokens stop working',
        tags: ['identity'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ client: ClientSchema, secret: Type.String() }) },
      },
    },
    async (request) => {
      const result = await identity.rotateClientSecret(request.params.id, { subject: request.principal!.subject, role: 'admin' });
      return { client: identity.clientDto(result.client), secret: result.secret };
    },
  );

  app.post(
    '/admin/clients/:id/revoke',
    {
      config: { access: clientAdmins, idempotent: true },
      schema: {
        summary: 'Revoke a client: its secret and every token it holds stop working',
        tags: ['identity'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ client: ClientSchema }) },
      },
    },
    async (request) => ({ client: identity.clientDto(await identity.revokeClient(request.params.id, { subject: request.principal!.subject, role: 'admin' })) }),
  );

  if (context.config.demo) {
    app.post(
      '/demo/tokens',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Demo mode only, from this machine only: tokens for N distinct demo subjects (used by `npm run cli -- demo-tokens`)',
          tags: ['demo'],
          body: Type.Object(
            {
              role: Type.Union(demoRoles.map((role) => Type.Literal(role))),
              count: Type.Integer({ minimum: 1, maximum: 500_000 }),
              ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.ip)) {
          throw new AppError('DEMO_ONLY', 'Demo tokens are handed out only to the machine the platform runs on');
        }
        const tokens = await demoTokens(context, identity, request.body.role as DemoRole, request.body.count, request.body.ttlSeconds ?? 24 * 3600);
        reply.type('application/x-ndjson; charset=utf-8');
        return tokens.map((token) => JSON.stringify(token)).join('\n') + '\n';
      },
    );
  }
}
