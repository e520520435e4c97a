import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { roles as allRoles, type Authenticator, type Principal, type Role } from '../../platform/access.ts';
import { appendAudit, type Actor } from '../../platform/audit.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import type { PlatformContext } from '../../platform/module.ts';
import { PersonalDataCipher } from './personal-data.ts';
import { civilDate } from '../../platform/civil-time.ts';
import { validateIdNumber } from './rules/id-number.ts';
import { isMobileNumber, maskIdNumber, maskName, maskPhone } from './rules/masking.ts';
import { principalFromClaims, TokenSigner, type TokenClaims } from './tokens.ts';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

export const SESSION_COOKIE = 'haihe_session';
export const CSRF_COOKIE = 'haihe_csrf';
/** Bearer tokens for people and machine clients live one hour; browser sessions eight hours. */
export const bearerTokenTtlSeconds = 3600;
export const sessionTtlSeconds = 8 * 3600;
const revocationRefreshMs = 2000;
const VERIFIED_TOKENS_MAX = 500_000;

export interface PersonRow {
  id: string;
  kind: 'resident' | 'staff';
  name: string;
  id_number_sealed: string | null;
  phone_sealed: string | null;
  district_code: string | null;
  roles: Role[];
  hall_id: string | null;
  organisation_id: string | null;
  login: string | null;
  demo: boolean;
}

/** What `/me` shows: personal data masked. */
export interface MeDto {
  subject: string;
  kind: 'person' | 'client';
  roles: Role[];
  name?: string;
  idNumberMasked?: string;
  phoneMasked?: string;
  districtCode?: string;
  hallId?: string;
  organisationId?: string;
}

export interface NewResident {
  name: string;
  idNumber: string;
  phone?: string | undefined;
  districtCode?: string | undefined;
  demo?: boolean;
  oidc?: { issuer: string; subject: string };
}

export interface NewStaff {
  name: string;
  login: string;
  password?: string | undefined;
  roles: Role[];
  hallId?: string | undefined;
  organisationId?: string | undefined;
  districtCode?: string | undefined;
  phone?: string | undefined;
  demo?: boolean;
}

export interface ClientRow {
  id: string;
  name: string;
  kind: 'merchant' | 'platform' | 'kiosk' | 'verifier' | 'registry';
  organisation_id: string | null;
  hall_id: string | null;
  roles: Role[];
  secret_hash: string;
  secret_hint: string;
  status: 'active' | 'revoked';
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

export const clientRoles: Record<ClientRow['kind'], Role[]> = {
  merchant: ['merchant'],
  platform: ['platform'],
  kiosk: ['kiosk'],
  verifier: ['verifier'],
  // Another province's subsidy platform asking the national one-per-category check (TI-06).
  registry: ['registry'],
};

const DUMMY_PASSWORD_HASH = `scrypt:${crypto.randomBytes(16).toString('base64url')}:${crypto.randomBytes(32).toString('base64url')}`;

function newId(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(10).toString('base64url')}`;
}

async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const derived = await scrypt(secret, salt, 32);
  return `scrypt:${salt.toString('base64url')}:${derived.toString('base64url')}`;
}

async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split(':');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const derived = await scrypt(secret, Buffer.from(salt, 'base64url'), 32);
  const expected = Buffer.from(hash, 'base64url');
  return derived.length === expected.length && crypto.timingSafeEqual(derived, expected);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

/**
 * Real-name identity: residents and staff, machine clients, the platform's tokens and their
 * revocation. Identity and phone numbers are sealed at rest and masked on every screen.
 */
export class IdentityService implements Authenticator {
  readonly cipher: PersonalDataCipher;
  readonly signer: TokenSigner;
  #revokedSessions = new Set<string>();
  readonly #verified = new Map<string, { claims: TokenClaims; principal: Principal }>();
  readonly #personLookups = new Map<string, { resolve(row: PersonRow | undefined): void; reject(error: unknown): void }[]>();
  #lookupScheduled = false;
  #revokedSubjectsBefore = new Map<string, number>();
  #revocationCursor = 0;
  #revocationsReadAt = 0;
  #refreshing: Promise<void> | undefined;

  constructor(private readonly context: PlatformContext) {
    this.cipher = new PersonalDataCipher(context.keys);
    this.signer = new TokenSigner(context.keys.sessionSecret);
  }

  // ---- people ----------------------------------------------------------------------------

  /** Validates and seals a resident's identity data, or says which check failed. */
  sealResident(input: NewResident) {
    const check = validateIdNumber(input.idNumber, civilDate(this.context.clock.now()));
    if (!check.valid) {
      throw new AppError('INVALID_ID_NUMBER', check.message, {
        check: check.failed,
        errors: [{ field: 'idNumber', message: check.message }],
      });
    }
    if (input.phone !== undefined && !isMobileNumber(input.phone)) {
      throw new AppError('INVALID_PHONE_NUMBER', 'A mobile number has 11 digits and starts with 13–19', {
        errors: [{ field: 'phone', message: 'must be 11 digits starting with 13–19' }],
      });
    }
    return {
      idNumber: check.normalised,
      idNumberSealed: this.cipher.encrypt(check.normalised, 'people.id_number'),
      idNumberHash: this.idNumberHash(check.normalised),
      phoneSealed: input.phone ? this.cipher.encrypt(input.phone, 'people.phone') : null,
      phoneHash: input.phone ? this.cipher.lookupHash(input.phone, 'people.phone') : null,
    };
  }

  idNumberHash(normalised: string): string {
    return this.cipher.lookupHash(normalised, 'people.id_number');
  }

  /** Creates a resident, or returns the existing one with the same identity number. */
  async createResident(tx: Queryable, input: NewResident, actor: Actor): Promise<PersonRow> {
    const sealed = this.sealResident(input);
    const id = newId('p');
    const [inserted] = await tx.query<PersonRow>(
      `INSERT INTO people (id, kind, name, id_number_sealed, id_number_hash, phone_sealed, phone_hash, district_code, roles, demo, oidc_issuer, oidc_subject)
       VALUES ($1, 'resident', $2, $3, $4, $5, $6, $7, '{citizen}', $8, $9, $10)
       ON CONFLICT (id_number_hash) DO NOTHING
       RETURNING *`,
      [id, input.name, sealed.idNumberSealed, sealed.idNumberHash, sealed.phoneSealed, sealed.phoneHash, input.districtCode ?? null,
        input.demo ?? false, input.oidc?.issuer ?? null, input.oidc?.subject ?? null],
    );
    if (!inserted) {
      const [existing] = await tx.query<PersonRow>('SELECT * FROM people WHERE id_number_hash = $1', [sealed.idNumberHash]);
      return existing!;
    }
    await appendAudit(tx, [{
      actor, action: 'identity.person.create', entityType: 'person', entityId: inserted.id,
      summary: { kind: 'resident', districtCode: input.districtCode ?? null, keyId: this.cipher.activeKeyId },
      occurredAt: this.context.clock.now(),
    }]);
    return inserted;
  }

  async createStaff(tx: Queryable, input: NewStaff, actor: Actor): Promise<PersonRow> {
    const passwordHash = input.password ? await hashSecret(input.password) : null;
    const id = newId('s');
    const [row] = await tx.query<PersonRow>(
      `INSERT INTO people (id, kind, name, phone_sealed, phone_hash, district_code, roles, hall_id, organisation_id, login, password_hash, demo)
       VALUES ($1, 'staff', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (login) DO UPDATE SET roles = EXCLUDED.roles, hall_id = EXCLUDED.hall_id, organisation_id = EXCLUDED.organisation_id,
         district_code = EXCLUDED.district_code, updated_at = now()
       RETURNING *`,
      [id, input.name, input.phone ? this.cipher.encrypt(input.phone, 'people.phone') : null,
        input.phone ? this.cipher.lookupHash(input.phone, 'people.phone') : null, input.districtCode ?? null,
        input.roles, input.hallId ?? null, input.organisationId ?? null, input.login, passwordHash, input.demo ?? false],
    );
    await appendAudit(tx, [{
      actor, action: 'identity.staff.upsert', entityType: 'person', entityId: row!.id,
      summary: { roles: input.roles, hallId: input.hallId ?? null, organisationId: input.organisationId ?? null },
      occurredAt: this.context.clock.now(),
    }]);
    return row!;
  }

  /**
   * Many look-ups by id in one query: requests made in the same turn of the event loop are answered
   * together (a hall's ticket line asks once per new visitor; one query per batch instead).
   */
  findPersonBatched(id: string): Promise<PersonRow | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.#personLookups.get(id);
      if (waiting) waiting.push({ resolve, reject });
      else this.#personLookups.set(id, [{ resolve, reject }]);
      if (this.#personLookups.size === 1 && !this.#lookupScheduled) {
        this.#lookupScheduled = true;
        setImmediate(() => void this.#flushPersonLookups());
      }
    });
  }

  async #flushPersonLookups(): Promise<void> {
    this.#lookupScheduled = false;
    const lookups = new Map(this.#personLookups);
    this.#personLookups.clear();
    try {
      const rows = await this.context.database.query<PersonRow>('SELECT * FROM people WHERE id = ANY($1::text[])', [[...lookups.keys()]]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const [id, waiting] of lookups) for (const entry of waiting) entry.resolve(byId.get(id));
    } catch (error) {
      for (const waiting of lookups.values()) for (const entry of waiting) entry.reject(error);
    }
  }

  async findPerson(id: string): Promise<PersonRow | undefined> {
    const [row] = await this.context.database.query<PersonRow>('SELECT * FROM people WHERE id = $1', [id]);
    return row;
  }

  /** Finds a resident by identity number through the keyed hash. */
  async findByIdNumber(idNumber: string): Promise<PersonRow | undefined> {
    const check = validateIdNumber(idNumber, civilDate(this.context.clock.now()));
    if (!check.valid) {
      throw new AppError('INVALID_ID_NUMBER', check.message, { check: check.failed, errors: [{ field: 'idNumber', message: check.message }] });
    }
    const [row] = await this.context.database.query<PersonRow>('SELECT * FROM people WHERE id_number_hash = $1', [this.idNumberHash(check.normalised)]);
    return row;
  }

  /** Checks a staff member's or resident's password for the built-in sign-in. */
  async checkPassword(login: string, password: string): Promise<PersonRow | undefined> {
    const [row] = await this.context.database.query<PersonRow & { password_hash: string | null }>(
      'SELECT * FROM people WHERE login = $1', [login],
    );
    // An unknown login costs the same scrypt as a wrong password, so timing does not reveal which logins exist.
    const matches = await secretMatches(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
    return row?.password_hash && matches ? row : undefined;
  }

  /** The clear identity number of a person (for the holder's own use, e.g. invoice checks); never logged. */
  revealIdNumber(person: PersonRow): string | undefined {
    return person.id_number_sealed ? this.cipher.decrypt(person.id_number_sealed, 'people.id_number') : undefined;
  }

  personDto(person: PersonRow): MeDto {
    const idNumber = this.revealIdNumber(person);
    const phone = person.phone_sealed ? this.cipher.decrypt(person.phone_sealed, 'people.phone') : undefined;
    return {
      subject: person.id,
      kind: 'person',
      roles: person.roles,
      name: person.name,
      ...(idNumber ? { idNumberMasked: maskIdNumber(idNumber) } : {}),
      ...(phone ? { phoneMasked: maskPhone(phone) } : {}),
      ...(person.district_code ? { districtCode: person.district_code } : {}),
      ...(person.hall_id ? { hallId: person.hall_id } : {}),
      ...(person.organisation_id ? { organisationId: person.organisation_id } : {}),
    };
  }

  maskedName(person: PersonRow): string {
    return maskName(person.name);
  }

  // ---- tokens ----------------------------------------------------------------------------

  claimsForPerson(person: PersonRow, ttlSeconds: number, sessionId = newId('sid')): TokenClaims {
    const now = this.context.clock.now();
    const nowMs = now.getTime();
    const birthDate = this.birthDateOf(person, now);
    return {
      sub: person.id,
      kind: 'person',
      roles: person.roles.filter((role): role is Role => (allRoles as readonly string[]).includes(role)),
      sid: sessionId,
      iat: nowMs,
      exp: Math.floor(nowMs / 1000) + ttlSeconds,
      ...(person.hall_id ? { hallId: person.hall_id } : {}),
      ...(person.district_code && person.roles.includes('case_handler_district') ? { districtCode: person.district_code } : {}),
      ...(person.organisation_id ? { organisationId: person.organisation_id } : {}),
      ...(birthDate ? { birthDate } : {}),
    };
  }

  /** A person's birth date from their sealed identity number (decrypted in memory only); undefined without a valid one. */
  birthDateOf(person: PersonRow, now: Date = this.context.clock.now()): string | undefined {
    const idNumber = this.revealIdNumber(person);
    const check = idNumber ? validateIdNumber(idNumber, civilDate(now)) : undefined;
    return check?.valid ? check.birthDate : undefined;
  }

  issuePersonToken(person: PersonRow, ttlSeconds = bearerTokenTtlSeconds): { token: string; expiresAt: Date; sessionId: string } {
    const claims = this.claimsForPerson(person, ttlSeconds);
    return { token: this.signer.sign(claims), expiresAt: new Date(claims.exp * 1000), sessionId: claims.sid };
  }

  /**
   * Authenticates a bearer token or a browser session cookie (Authenticator). Synchronous unless the
   * revocation list is due to be re-read: a token seen before costs a map look-up, a new one an HMAC.
   */
  authenticate(headers: { authorization?: string | undefined; cookie?: string | undefined }): Principal | undefined | Promise<Principal | undefined> {
    let token: string | undefined;
    let via: Principal['via'] = 'bearer';
    let verified: { claims: TokenClaims; principal: Principal } | undefined;
    const authorization = headers.authorization;
    if (authorization !== undefined) {
      // The usual "Bearer <token>" of a token seen before needs no regular expression.
      if (authorization.startsWith('Bearer ')) verified = this.#verified.get((token = authorization.slice(7)));
      if (!verified) {
        const match = /^Bearer\s+(\S+)$/i.exec(authorization);
        if (!match) return undefined;
        token = match[1];
      }
    } else {
      token = readCookie(headers.cookie, SESSION_COOKIE);
      via = 'session';
    }
    if (!token) return undefined;
    const nowMs = this.context.clock.now().getTime();
    // A token verified once is remembered (bounded), so a resident retrying in a flash release costs
    // one map look-up instead of an HMAC and a JSON parse; expiry and revocation are checked each time.
    // (A "Bearer " header was looked up above already.)
    if (via === 'session' || !authorization!.startsWith('Bearer ')) verified = this.#verified.get(token);
    if (!verified) {
      const claims = this.signer.verify(token, Math.floor(nowMs / 1000));
      if (!claims) return undefined;
      if (this.#verified.size >= VERIFIED_TOKENS_MAX) this.#verified.clear();
      verified = { claims, principal: Object.freeze(principalFromClaims(claims, via)) };
      this.#verified.set(token, verified);
    } else if (verified.claims.exp * 1000 <= nowMs) {
      return undefined;
    }
    const known = verified;
    if (Date.now() - this.#revocationsReadAt >= revocationRefreshMs) return this.#refreshRevocations().then(() => this.#unlessRevoked(known, via));
    return this.#unlessRevoked(known, via);
  }

  #unlessRevoked(verified: { claims: TokenClaims; principal: Principal }, via: Principal['via']): Principal | undefined {
    const { claims } = verified;
    if (this.#revokedSessions.has(claims.sid)) return undefined;
    const before = this.#revokedSubjectsBefore.get(claims.sub);
    if (before !== undefined && claims.iat <= before) return undefined;
    // The same token reads the same principal (frozen, shared); only how it came may differ.
    return verified.principal.via === via ? verified.principal : principalFromClaims(claims, via);
  }

  /** Revocations are read at most every two seconds, so a revoked token stops working everywhere within that time. */
  async #refreshRevocations(force = false): Promise<void> {
    if (!force && Date.now() - this.#revocationsReadAt < revocationRefreshMs) return;
    this.#refreshing ??= (async () => {
      try {
        const rows = await this.context.database.query<{ id: number; subject: string; session_id: string | null; not_before: Date | null }>(
          'SELECT id, subject, session_id, not_before FROM token_revocations WHERE id > $1 ORDER BY id',
          [this.#revocationCursor],
        );
        for (const row of rows) {
          if (row.session_id) this.#revokedSessions.add(row.session_id);
          if (row.not_before) {
            const previous = this.#revokedSubjectsBefore.get(row.subject) ?? 0;
            this.#revokedSubjectsBefore.set(row.subject, Math.max(previous, row.not_before.getTime()));
          }
          this.#revocationCursor = row.id;
        }
        this.#revocationsReadAt = Date.now();
      } finally {
        this.#refreshing = undefined;
      }
    })();
    await this.#refreshing;
  }

  /** Ends one session (sign-out): its token stops working on every process. */
  async revokeSession(principalSubject: string, sessionId: string, expiresAt: Date): Promise<void> {
    await this.context.database.execute(
      'INSERT INTO token_revocations (subject, session_id, expires_at) VALUES ($1, $2, $3)',
      [principalSubject, sessionId, expiresAt],
    );
    this.#revokedSessions.add(sessionId);
  }

  /** Every token of a subject issued up to now stops working (a revoked client, a blocked person). */
  async revokeSubject(tx: Queryable, subject: string): Promise<void> {
    const now = this.context.clock.now();
    await tx.execute('INSERT INTO token_revocations (subject, not_before, expires_at) VALUES ($1, $2, $3)', [
      subject, now, new Date(now.getTime() + sessionTtlSeconds * 1000),
    ]);
    this.#revokedSubjectsBefore.set(subject, now.getTime());
  }

  /** The session id inside a token the caller presented (for sign-out). */
  sessionOf(token: string): TokenClaims | undefined {
    return this.signer.verify(token, Math.floor(this.context.clock.now().getTime() / 1000));
  }

  // ---- machine clients -------------------------------------------------------------------

  /** Registers a machine client; the secret is returned once and only its hash is stored. */
  async registerClient(
    tx: Queryable,
    input: { id: string; name: string; kind: ClientRow['kind']; organisationId?: string | undefined; hallId?: string | undefined; demo?: boolean; secret?: string },
    actor: Actor,
  ): Promise<{ client: ClientRow; secret: string }> {
    const secret = input.secret ?? crypto.randomBytes(24).toString('base64url');
    const [client] = await tx.query<ClientRow>(
      `INSERT INTO clients (id, name, kind, organisation_id, hall_id, roles, secret_hash, secret_hint, demo)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [input.id, input.name, input.kind, input.organisationId ?? (input.kind === 'platform' ? input.id : null), input.hallId ?? null,
        clientRoles[input.kind], await hashSecret(secret), secret.slice(-4), input.demo ?? false],
    );
    if (!client) throw new AppError('INVALID_REQUEST', `A client with id ${input.id} exists already`, { errors: [{ field: 'id', message: 'is taken' }] });
    await appendAudit(tx, [{
      actor, action: 'identity.client.register', entityType: 'client', entityId: client.id,
      summary: { kind: client.kind, organisationId: client.organisation_id }, occurredAt: this.context.clock.now(),
    }]);
    return { client, secret };
  }

  async rotateClientSecret(id: string, actor: Actor): Promise<{ client: ClientRow; secret: string }> {
    const secret = crypto.randomBytes(24).toString('base64url');
    const hash = await hashSecret(secret);
    return this.context.database.transaction(async (tx) => {
      const [client] = await tx.query<ClientRow>(
        `UPDATE clients SET secret_hash = $2, secret_hint = $3, rotated_at = $4 WHERE id = $1 AND status = 'active' RETURNING *`,
        [id, hash, secret.slice(-4), this.context.clock.now()],
      );
      if (!client) throw new AppError('CLIENT_NOT_FOUND', `No active client ${id}`);
      // Tokens obtained with the old secret stop working too.
      await this.revokeSubject(tx, client.id);
      await appendAudit(tx, [{ actor, action: 'identity.client.rotate', entityType: 'client', entityId: id, summary: {}, occurredAt: this.context.clock.now() }]);
      return { client, secret };
    });
  }

  async revokeClient(id: string, actor: Actor): Promise<ClientRow> {
    return this.context.database.transaction(async (tx) => {
      const [client] = await tx.query<ClientRow>(
        `UPDATE clients SET status = 'revoked', revoked_at = $2 WHERE id = $1 AND status = 'active' RETURNING *`,
        [id, this.context.clock.now()],
      );
      if (!client) throw new AppError('CLIENT_NOT_FOUND', `No active client ${id}`);
      await this.revokeSubject(tx, client.id);
      await appendAudit(tx, [{ actor, action: 'identity.client.revoke', entityType: 'client', entityId: id, summary: { status: 'revoked' }, occurredAt: this.context.clock.now() }]);
      return client;
    });
  }

  async listClients(): Promise<ClientRow[]> {
    return this.context.database.query<ClientRow>('SELECT * FROM clients ORDER BY kind, id');
  }

  /** OAuth 2.0 client credentials: a short-lived bearer token for an active client. */
  async clientCredentials(id: string, secret: string): Promise<{ token: string; expiresIn: number; client: ClientRow }> {
    const [client] = await this.context.database.query<ClientRow>('SELECT * FROM clients WHERE id = $1', [id]);
    if (!client || client.status !== 'active' || !(await secretMatches(secret, client.secret_hash))) {
      throw new AppError('INVALID_CLIENT', 'Unknown client, wrong secret, or the client was revoked');
    }
    return { token: this.signer.sign(this.clientClaims(client, bearerTokenTtlSeconds)), expiresIn: bearerTokenTtlSeconds, client };
  }

  clientClaims(client: ClientRow, ttlSeconds: number): TokenClaims {
    const nowMs = this.context.clock.now().getTime();
    return {
      sub: client.id,
      kind: 'client',
      roles: client.roles,
      sid: newId('sid'),
      iat: nowMs,
      exp: Math.floor(nowMs / 1000) + ttlSeconds,
      ...(client.organisation_id ? { organisationId: client.organisation_id } : {}),
      ...(client.hall_id ? { hallId: client.hall_id } : {}),
    };
  }

  clientDto(client: ClientRow) {
    return {
      id: client.id,
      name: client.name,
      kind: client.kind,
      organisationId: client.organisation_id,
      hallId: client.hall_id,
      roles: client.roles,
      status: client.status,
      secretHint: `…${client.secret_hint}`,
      createdAt: client.created_at.toISOString(),
      rotatedAt: client.rotated_at?.toISOString() ?? null,
      revokedAt: client.revoked_at?.toISOString() ?? null,
    };
  }
}
