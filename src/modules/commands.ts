import type { parseArgs } from 'node:util';
import type { Config } from '../platform/config.ts';
import { demoTokensCommand } from './identity/command.ts';

/** A command-line command contributed by a module (for example demo-tokens). */
export interface ModuleCommand {
  name: string;
  usage: string;
  summary: string;
  run(config: Config, parse: typeof parseArgs, args: string[]): Promise<number>;
}

/** Every module command, listed in the CLI's usage. */
export const commands: ModuleCommand[] = [demoTokensCommand];
