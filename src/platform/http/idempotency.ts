import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../audit.ts';
import type { Clock } from '../clock.ts';
import type { Database, Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';

/** How long a request may hold its key before another attempt may take it over (a crashed process). */
const LEASE_MS = 30_000;
/** How long a concurrent duplicate waits for the first request to finish before answering 409. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;
const KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;

/** The idempotency claim a request holds while its handler runs. */
export interface IdempotencyClaim {
  principal: string;
  key: string;
  /** Set once a response was stored in the handler's own transaction (the effect committed). */
  storedInTransaction: boolean;
  /** Set once the sent response was stored. */
  completed: boolean;
  /** Serializes a body exactly as the route's reply would (response schema included). */
  serialize(status: number, body: unknown): string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: IdempotencyClaim;
  }
}

interface StoredRow {
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_content_type: string | null;
  response_body: string | null;
  locked_until: Date | null;
}

function requestHash(request: FastifyRequest): string {
  const material = canonicalJson({
    method: request.method,
    route: request.routeOptions.url,
    params: request.params ?? {},
    query: request.query ?? {},
    body: request.body ?? null,
  });
  return crypto.createHash('sha256').update(material).digest('hex');
}

/**
 * Stores the response inside the handler's transaction, so the effect and the stored answer
 * commit together: a crash can lose neither one without the other.
 */
export async function completeIdempotency(tx: Queryable, request: FastifyRequest, status: number, body: unknown): Promise<void> {
  const claim = request.idempotency;
  if (!claim) return;
  // Concurrent duplicates replay this stored text as soon as the transaction commits, before the
  // first reply is sent: it must be the very bytes the reply will send, so the route's response
  // schema serializes it (it orders fields and leaves out what the schema does not list).
  await tx.execute(
    `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_content_type = 'application/json; charset=utf-8',
            response_body = $4, locked_until = NULL
      WHERE principal = $1 AND key = $2`,
    [claim.principal, claim.key, status, claim.serialize(status, body)],
  );
  claim.storedInTransaction = true;
}

/**
 * Idempotency-Key for routes whose config says `idempotent: true` (api-contract.md, Conventions):
 * the first request with a key runs; a repeat with the same body gets the first response; a
 * repeat with another body gets 422 IDEMPOTENCY_KEY_REUSED; a concurrent duplicate waits for the
 * first to finish. The key row is inserted before the handler runs, so only one process runs it.
 */
export function registerIdempotency(app: FastifyInstance, database: Database, clock: Clock): void {
  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotent) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY_PATTERN.test(key)) {
      throw new AppError('INVALID_REQUEST', 'Idempotency-Key must be 1–128 visible ASCII characters', {
        errors: [{ field: 'header.idempotency-key', message: 'must be 1–128 visible ASCII characters' }],
      });
    }
    const principal = request.principal?.subject ?? `anonymous:${request.ip}`;
    const hash = requestHash(request);
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const now = clock.now();
      const inserted = await database.execute(
        `INSERT INTO idempotency_keys (principal, key, request_hash, state, locked_until, created_at)
         VALUES ($1, $2, $3, 'in_progress', $4, $5) ON CONFLICT (principal, key) DO NOTHING`,
        [principal, key, hash, new Date(now.getTime() + LEASE_MS), now],
      );
      if (inserted === 1) {
        request.idempotency = newClaim(principal, key, reply);
        return;
      }
      const [row] = await database.query<StoredRow>(
        `SELECT request_hash, state, response_status, response_content_type, response_body, locked_until
           FROM idempotency_keys WHERE principal = $1 AND key = $2`,
        [principal, key],
      );
      if (!row) continue; // deleted in between (a failed first attempt): try to claim it again
      if (row.request_hash !== hash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request');
      }
      if (row.state === 'completed') {
        return replay(reply, row);
      }
      if (row.locked_until && row.locked_until.getTime() < now.getTime()) {
        // The first attempt's process died before finishing; its transaction rolled back, so retry it.
        const taken = await database.execute(
          `UPDATE idempotency_keys SET locked_until = $3 WHERE principal = $1 AND key = $2 AND state = 'in_progress' AND locked_until = $4`,
          [principal, key, new Date(now.getTime() + LEASE_MS), row.locked_until],
        );
        if (taken === 1) {
          request.idempotency = newClaim(principal, key, reply);
          return;
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'The first request with this Idempotency-Key is still running; retry shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });

  // The bytes actually sent are stored here, so a replay is byte-for-byte the first answer (a
  // response stored in the handler's transaction is overwritten with the same content as sent).
  // A server error before any effect committed releases the key so the client can try again.
  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim || claim.completed) return payload;
    claim.completed = true;
    if (reply.statusCode >= 500 && !claim.storedInTransaction) {
      await database.execute('DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND state = $3', [
        claim.principal,
        claim.key,
        'in_progress',
      ]);
      return payload;
    }
    if (reply.statusCode >= 500) return payload;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    await database.execute(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_content_type = $4, response_body = $5, locked_until = NULL
        WHERE principal = $1 AND key = $2`,
      [claim.principal, claim.key, reply.statusCode, String(reply.getHeader('content-type') ?? 'application/json'), body],
    );
    return payload;
  });
}

function newClaim(principal: string, key: string, reply: FastifyReply): IdempotencyClaim {
  return {
    principal,
    key,
    storedInTransaction: false,
    completed: false,
    serialize(status, body) {
      const current = reply.raw.statusCode;
      reply.raw.statusCode = status;
      try {
        return reply.serialize(body) as string;
      } finally {
        reply.raw.statusCode = current;
      }
    },
  };
}

function replay(reply: FastifyReply, row: StoredRow): FastifyReply {
  reply.header('idempotent-replayed', 'true');
  reply.code(row.response_status ?? 200);
  const contentType = row.response_content_type ?? 'application/json; charset=utf-8';
  if (row.response_body === null || row.response_body === '') return reply.send();
  // Replay the exact bytes first sent; serialization is skipped.
  reply.header('content-type', contentType);
  return reply.serializer((value: unknown) => value as string).send(row.response_body);
}

/** Deletes stored responses older than the retention period (run by a job). */
export async function pruneIdempotencyKeys(database: Database, olderThan: Date): Promise<number> {
  return database.execute(`DELETE FROM idempotency_keys WHERE created_at < $1 AND state = 'completed'`, [olderThan]);
}
