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

/** The platform logger: JSON lines, redaction by path, and free-text scrubbing of messages. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid, service: 'haihe' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((argument) => (typeof argument === 'string' ? scrubPersonalData(argument) : argument));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        err: pino.stdSerializers.err,
        req(request: { method?: string; url?: string; id?: string }) {
          // Query strings can carry codes and tokens (OpenID Connect callbacks): log the path only.
          return { method: request.method, path: request.url?.split('?')[0], id: request.id };
        },
        res(reply: { statusCode?: number }) {
          return { statusCode: reply.statusCode };
        },
      },
    },
    destination,
  );
}
