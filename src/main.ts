#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlatform, openAndMigrate, WEB_DIST } from './app.ts';
import { verifyAudit } from './platform/audit.ts';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { rotateDataKey } from './platform/keys.ts';
import { commands as moduleCommands } from './modules/commands.ts';

const usage = `haihe 海河 — city public services platform

Usage: npm run cli -- <command> [options]

Commands:
  start                 run the platform (builds the web pages when missing)
  migrate               apply pending database migrations and exit
  audit verify          recompute the audit log's hash chain; exit 1 on tampering
  keys rotate           add a new data-encryption key and make it active
${moduleCommands.map((command) => `  ${command.usage.padEnd(22)}${command.summary}`).join('\n')}

Environment: PORT (3000), HOST (127.0.0.1), DATA_DIR (./data), DATABASE_URL (postgres://… or
unset for the embedded database), HAIHE_DEMO (1), LOG_LEVEL (info). See docs/operating.md.`;

async function buildWebIfMissing(): Promise<void> {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  console.log('Building the web pages (first start only)…');
  const { build } = await import('vite');
  await build({ configFile: path.resolve(import.meta.dirname, '../web/vite.config.ts'), logLevel: 'warn' });
}

async function start(config: Config): Promise<void> {
  await buildWebIfMissing();
  const platform = await buildPlatform({ config });
  const address = await platform.app.listen({ port: config.port, host: config.host });
  const shown = address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  console.log(`haihe is running at ${shown} (database: ${platform.context.database.kind}${config.demo ? ', demo mode' : ''})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    platform.context.logger.info({ signal }, 'shutting down');
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return command ? 0 : 1;
  }
  const config = loadConfig();
  switch (command) {
    case 'start':
      await start(config);
      return -1;
    case 'migrate': {
      const { database, applied } = await openAndMigrate(config);
      await database.close();
      console.log(applied.length === 0 ? 'Nothing to apply.' : applied.map((m) => `applied ${m.module}/${m.name}`).join('\n'));
      return 0;
    }
    case 'audit': {
      if (rest[0] !== 'verify') break;
      const { database } = await openAndMigrate(config);
      const result = await verifyAudit(database);
      await database.close();
      if (result.ok) console.log(`audit log intact: ${result.entries} entries`);
      else console.error(`audit log TAMPERED:\n  ${result.problems.join('\n  ')}`);
      return result.ok ? 0 : 1;
    }
    case 'keys': {
      if (rest[0] !== 'rotate') break;
      const key = rotateDataKey(config);
      console.log(`new active data key ${key.id}; restart the platform processes to use it`);
      return 0;
    }
    default: {
      const moduleCommand = moduleCommands.find((candidate) => candidate.name === command);
      if (moduleCommand) return moduleCommand.run(config, parseArgs, rest);
    }
  }
  console.error(`Unknown command: ${argv.join(' ')}\n\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  },
);
