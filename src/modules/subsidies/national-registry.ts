import crypto from 'node:crypto';
import type { Config } from '../../platform/config.ts';

/**
 * TI-06: qualifications are verified nationwide — a person who holds a qualification for a
 * category in another province cannot redeem that category here. The platform asks through this
 * interface; which registry answers is configuration.
 */
export interface NationalRegistry {
  /** Does a registry elsewhere hold an active or used qualification for this subject and category? */
  heldElsewhere(subject: string, category: string): Promise<{ held: boolean; province?: string }>;
  readonly kind: 'local' | 'http';
}

/**
 * The subject sent to other provinces: HMAC-SHA256 of the identity number under a pepper shared by
 * the participating platforms, so no clear identity number crosses provincial systems.
 */
export function nationalSubject(pepper: Buffer, idNumber: string): string {
  return crypto.createHmac('sha256', pepper).update('haihe.national-subject\0').update(idNumber).digest('base64url');
}

/** Without a national registry configured, only this platform's own records count (the unique index). */
export class LocalRegistry implements NationalRegistry {
  readonly kind = 'local' as const;
  async heldElsewhere(): Promise<{ held: boolean }> {
    return { held: false };
  }
}

export class RegistryUnavailable extends Error {}

export interface HttpRegistryOptions {
  /** Base URL of the other platform (or national registry), e.g. https://subsidy.example-province.gov.cn */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

/**
 * The HTTP adapter (protocol in docs/modules/subsidies.md): OAuth 2.0 client credentials at
 * `{base}/api/v1/oauth/token`, then `POST {base}/api/v1/national/qualification-checks
 * {subject, category}` → `{held, province}`. Any platform running haihe answers this protocol for
 * its own residents, so two provinces can check each other directly.
 */
export class HttpNationalRegistry implements NationalRegistry {
  readonly kind = 'http' as const;
  #token: { value: string; expiresAt: number } | undefined;
  constructor(private readonly options: HttpRegistryOptions) {}

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now() + 30_000) return this.#token.value;
    const response = await fetch(`${this.options.baseUrl}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: this.options.clientSecret }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 2000),
    });
    if (!response.ok) throw new RegistryUnavailable(`registry token: ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    this.#token = { value: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
    return body.access_token;
  }

  async heldElsewhere(subject: string, category: string): Promise<{ held: boolean; province?: string }> {
    try {
      const response = await fetch(`${this.options.baseUrl}/api/v1/national/qualification-checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.#accessToken()}` },
        body: JSON.stringify({ subject, category }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 2000),
      });
      if (!response.ok) throw new RegistryUnavailable(`registry check: ${response.status}`);
      const body = (await response.json()) as { held: boolean; province?: string };
      return body.province ? { held: body.held === true, province: body.province } : { held: body.held === true };
    } catch (error) {
      if (error instanceof RegistryUnavailable) throw error;
      throw new RegistryUnavailable(error instanceof Error ? error.message : String(error));
    }
  }
}

/** The registry the configuration names (NATIONAL_REGISTRY_URL …), or the local one. */
export function registryFromConfig(settings: Config['nationalRegistry']): NationalRegistry {
  if (!settings.url || !settings.clientId || !settings.clientSecret) return new LocalRegistry();
  return new HttpNationalRegistry({ baseUrl: settings.url, clientId: settings.clientId, clientSecret: settings.clientSecret, timeoutMs: settings.timeoutMs });
}
