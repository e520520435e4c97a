import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../../platform/clock.ts';
import type { Database, Queryable } from '../../../platform/db/index.ts';

interface PayloadRow {
  payload: AdapterPayload;
  consumed_at: Date | null;
}

/**
 * oidc-provider's storage in PostgreSQL (table oidc_payloads, one row per model and id), so a
 * sign-in started on one process can finish on another. Expired rows are invisible at once and
 * deleted by pruneOidcPayloads.
 */
export function postgresAdapter(database: Database, clock: Clock): new (model: string) => Adapter {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
      const expiresAt = typeof expiresIn === 'number' ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await database.execute(
        `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at, consumed_at = NULL`,
        [this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt],
      );
    }

    async #findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const [row] = await database.query<PayloadRow>(
        `SELECT payload, consumed_at FROM oidc_payloads
          WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > $3)
          LIMIT 1`,
        [this.model, value, clock.now()],
      );
      if (!row) return undefined;
      return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await database.execute('UPDATE oidc_payloads SET consumed_at = $3 WHERE model = $1 AND id = $2', [this.model, id, clock.now()]);
    }

    async destroy(id: string): Promise<void> {
      await database.execute('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await database.execute('DELETE FROM oidc_payloads WHERE model = $1 AND grant_id = $2', [this.model, grantId]);
    }
  };
}

/**
 * Ends a provider session outright: the session, its grants and every code and token issued under
 * them. Returns whether there was such a session.
 */
export async function endProviderSession(database: Database, sessionId: string): Promise<boolean> {
  return database.transaction(async (tx: Queryable) => {
    const [session] = await tx.query<{ payload: { authorizations?: Record<string, { grantId?: string }> } }>(
      `DELETE FROM oidc_payloads WHERE model = 'Session' AND id = $1 RETURNING payload`,
      [sessionId],
    );
    if (!session) return false;
    const grantIds = Object.values(session.payload.authorizations ?? {})
      .map((authorization) => authorization.grantId)
      .filter((grantId): grantId is string => typeof grantId === 'string');
    if (grantIds.length > 0) {
      await tx.execute(
        `DELETE FROM oidc_payloads WHERE grant_id = ANY($1::text[]) OR (model = 'Grant' AND id = ANY($1::text[]))`,
        [grantIds],
      );
    }
    return true;
  });
}

/** Deletes rows that expired before the given time (scheduled hourly). */
export function pruneOidcPayloads(database: Database, before: Date): Promise<number> {
  return database.execute('DELETE FROM oidc_payloads WHERE expires_at < $1', [before]);
}
