#!/usr/bin/env node
// `npx convkit ...`: each command lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';

import { ConvkitError } from '../errors';
import { registerDataCommand } from './data';
import { registerEvaluateCommand } from './evaluate';
import { registerInfoCommand } from './info';
import { registerPredictCommand } from './predict';
import { registerServeCommand } from './serve';
import { registerSummaryCommand } from './summary';
import { registerTrainCommand } from './train';
import { registerVisualizeCommand } from './visualize';

const commands: Array<(program: Command) => void> = [
  registerInfoCommand,
  registerDataCommand,
  registerTrainCommand,
  registerSummaryCommand,
  registerEvaluateCommand,
  registerVisualizeCommand,
  registerPredictCommand,
  registerServeCommand,
];

export function buildProgram(): Command {
  const program = new Command('convkit')
    .description('Build, train, inspect and use convolutional neural networks for image classification.')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; user errors print one line, never a stack trace. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;  // commander already printed it
    if (e instanceof ConvkitError) {
      console.error(`convkit: ${e.message}`);
      return 1;
    }
    const error = e as Error;
    console.error(`convkit: unexpected error: ${error?.message ?? error}`);
    if (process.env.CONVKIT_DEBUG) console.error(error?.stack);
    else console.error('(set CONVKIT_DEBUG=1 for the stack trace, and please report it)');
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
