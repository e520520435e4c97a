import crypto from 'node:crypto';
import type { Queryable } from './db/index.ts';

/** Who changed something: a signed-in subject, a machine client, or the platform itself. */
export interface Actor {
  subject: string;
  role?: string | undefined;
}

export const systemActor: Actor = { subject: 'system', role: 'system' };

/** One state change. `summary` holds before/after facts, never personal data in clear. */
export interface AuditEntry {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  summary: Record<string, unknown>;
  requestId?: string | undefined;
  occurredAt: Date;
}

interface StoredEntry {
  position: number;
  occurred_at: Date;
  actor: string;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  summary: Record<string, unknown>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every level, so the same facts always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, inner]) => inner !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
}

function entryHash(previousHash: string, entry: Omit<StoredEntry, 'hash' | 'prev_hash'>): string {
  const material = canonicalJson({
    position: entry.position,
    occurredAt: new Date(entry.occurred_at).toISOString(),
    actor: entry.actor,
    actorRole: entry.actor_role,
    action: entry.action,
    entityType: entry.entity_type,
    entityId: entry.entity_id,
    summary: entry.summary,
    requestId: entry.request_id,
  });
  return crypto.createHash('sha256').update(previousHash).update('\n').update(material).digest('hex');
}

/**
 * Appends entries to the hash-chained audit log inside the caller's transaction, so the record
 * commits or rolls back with the change it describes. One statement: the database function
 * audit_append locks the head (positions stay gap-free across processes) and chains the hashes.
 */
export async function appendAudit(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `SELECT audit_append($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[])`,
    [
      entries.map((entry) => entry.occurredAt.toISOString()),
      entries.map((entry) => entry.actor.subject),
      entries.map((entry) => entry.actor.role ?? null),
      entries.map((entry) => entry.action),
      entries.map((entry) => entry.entityType),
      entries.map((entry) => entry.entityId),
      entries.map((entry) => JSON.stringify(entry.summary)),
      entries.map((entry) => entry.requestId ?? null),
    ],
  );
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  problems: string[];
}

/** Recomputes the whole chain and reports edited, deleted or inserted rows and a moved head. */
export async function verifyAudit(database: Queryable, pageSize = 5000): Promise<AuditVerification> {
  const problems: string[] = [];
  let previousHash = 'genesis';
  let expectedPosition = 1;
  let lastPosition = 0;
  let count = 0;
  for (;;) {
    const rows = await database.query<StoredEntry & { hash_version: number; material: string }>(
      `SELECT position, occurred_at, actor, actor_role, action, entity_type, entity_id, summary, request_id, prev_hash, hash, hash_version,
              audit_material(position, occurred_at, actor, actor_role, action, entity_type, entity_id, summary, request_id) AS material
         FROM audit_log WHERE position >= $1 ORDER BY position LIMIT $2`,
      [expectedPosition, pageSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      count += 1;
      if (row.position !== expectedPosition) {
        problems.push(`entries ${expectedPosition}–${row.position - 1} are missing (deleted)`);
      }
      if (row.prev_hash !== previousHash) {
        problems.push(`entry ${row.position} does not follow the entry before it (a row was deleted or inserted)`);
      }
      const recomputed = row.hash_version === 2
        ? crypto.createHash('sha256').update(`${row.prev_hash}\n${row.material}`, 'utf8').digest('hex')
        : entryHash(row.prev_hash, row);
      if (recomputed !== row.hash) problems.push(`entry ${row.position} was changed after it was written`);
      previousHash = row.hash;
      expectedPosition = row.position + 1;
      lastPosition = row.position;
    }
  }
  const [head] = await database.query<{ position: number; hash: string }>('SELECT position, hash FROM audit_head WHERE id = 1');
  if (!head) problems.push('the audit head row is missing');
  else if (head.position !== lastPosition || head.hash !== previousHash) {
    problems.push(`the chain ends at entry ${lastPosition} but the head says ${head.position} (entries at the end were deleted)`);
  }
  return { ok: problems.length === 0, entries: count, problems };
}
