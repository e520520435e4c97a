import { buildPlatform } from '../../app.ts';
import type { ModuleCommand } from '../commands.ts';
import { demoRoles, demoTokens, type DemoRole } from './demo.ts';
import type { IdentityService } from './service.ts';

/**
 * `demo-tokens --role R --count N`: N lines of JSON for N distinct demo subjects. It asks the
 * running platform at HAIHE_URL first (the embedded database belongs to that process), and opens
 * the database itself when no platform answers. It refuses outside demo mode.
 */
export const demoTokensCommand: ModuleCommand = {
  name: 'demo-tokens',
  usage: 'demo-tokens --role R --count N',
  summary: `tokens for N demo subjects (R: ${demoRoles.join('|')}); demo mode only`,
  async run(config, parse, args) {
    const { values } = parse({
      args,
      options: { role: { type: 'string', default: 'citizen' }, count: { type: 'string', default: '1' }, ttl: { type: 'string', default: '86400' } },
    });
    const role = values.role as DemoRole;
    const count = Number(values.count);
    const ttlSeconds = Number(values.ttl);
    if (!demoRoles.includes(role)) {
      console.error(`--role must be one of ${demoRoles.join(', ')}`);
      return 2;
    }
    if (!Number.isInteger(count) || count < 1 || count > 500_000) {
      console.error('--count must be a whole number from 1 to 500000');
      return 2;
    }
    if (!config.demo) {
      console.error('demo-tokens works only in demo mode (HAIHE_DEMO=1)');
      return 3;
    }
    const base = config.platformUrl;
    let response: Response | undefined;
    try {
      response = await fetch(`${base}/api/v1/demo/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role, count, ttlSeconds }),
      });
    } catch {
      response = undefined;
    }
    if (response) {
      if (!response.ok) {
        console.error(`the platform at ${base} refused: ${response.status} ${await response.text()}`);
        return 1;
      }
      process.stdout.write(await response.text());
      return 0;
    }
    const platform = await buildPlatform({ config, serveWeb: false, startJobs: false });
    try {
      const identity = platform.services.get<IdentityService>('identity');
      const tokens = await demoTokens(platform.context, identity, role, count, ttlSeconds);
      process.stdout.write(tokens.map((token) => JSON.stringify(token)).join('\n') + '\n');
    } finally {
      await platform.close();
    }
    return 0;
  },
};
