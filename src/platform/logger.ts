import pino, { type Logger } from 'pino';

/**
 * Paths pino removes from every log line. Identity numbers, phone numbers, tokens, secrets and
 * cookies never reach the logs (PIPL; reference.md "Personal information").
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.idNumber',
  '*.holderIdNumber',
  '*.phone',
  '*.phoneNumber',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.qrToken',
  '*.tagToken',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  'idNumber',
  'phone',
  'token',
];

const identityNumberPattern = /(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])/g;
const phonePattern = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;

/** Masks anything that looks like an identity or mobile number inside free text. */
export function scrubPersonalData(text: string): string {
  return text.replace(identityNumberPattern, '$1********$3').replace(phonePattern, '$1****$3');
}

/**
 * Masks personal data in every string of a logged value. Plain objects and arrays are copied (the
 * caller's objects stay as they were); other objects (requests, replies) are left to their
 * serializers, unless `anyObject` is set for data a serializer already produced.
 */
function scrubValue(value: unknown, anyObject = false, depth = 0): unknown {
  if (typeof value === 'string') return scrubPersonalData(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((inner) => scrubValue(inner, anyObject, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (!anyObject && prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) copy[key] = scrubValue(inner, anyObject, depth + 1);
  return copy;
}

/** The platform logger: JSON lines, redaction by path, and free-text scrubbing of messages and fields. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid, service: 'haihe' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((argument) => scrubValue(argument));
          // log.error(error) takes its message from the error: give pino the masked one instead.
          if (scrubbed.length === 1 && scrubbed[0] instanceof Error) scrubbed.push(scrubPersonalData(scrubbed[0].message));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        // Error messages and details can quote the values that caused them (a duplicate key, say).
        err: (error: Error) => scrubValue(pino.stdSerializers.err(error), true),
        req(request: { method?: string; url?: string; id?: string }) {
          // Query strings can carry codes and tokens (OpenID Connect callbacks): log the path only.
          const path = request.url?.split('?')[0];
          return { method: request.method, path: path === undefined ? undefined : scrubPersonalData(path), id: request.id };
        },
        res(reply: { statusCode?: number }) {
          return { statusCode: reply.statusCode };
        },
      },
    },
    destination,
  );
}
