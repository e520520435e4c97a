import type { FastifyInstance } from 'fastify';
import type { PlatformContext } from '../../../platform/module.ts';
import type { IdentityService } from '../service.ts';

/**
 * Sign-in by OpenID Connect: the built-in provider under /oidc and the relying party under /auth.
 * (Registered on the root app, outside /api/v1.)
 */
export async function registerOidc(_app: FastifyInstance, _context: PlatformContext, _identity: IdentityService): Promise<void> {}
