import { Command } from 'commander';
import * as path from 'path';

// Registers the native backend.
import '..';
import { DEFAULT_HOST, DEFAULT_PORT, startDashboard } from '../web';
import { isLoopback } from '../web/server';
import { portNumber, wholeNumber } from './arguments';

/** Resolves on Ctrl-C or a termination request. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `convkit serve`: the live dashboard for a runs folder, in the browser. */
export function registerServeCommand(program: Command): void {
  program.command('serve')
    .description('start the live dashboard: watch runs train, explore trained models, try your own images')
    .option('--runs <folder>', 'folder of run folders to show', 'runs')
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on; the default serves this machine only', DEFAULT_HOST)
    .option('--eval-images <n>', 'validation images the model view evaluates', wholeNumber(1), 1000)
    .action(async (flags: { runs: string; port: number; host: string; evalImages: number }) => {
      const dashboard = await startDashboard({ runsDir: flags.runs, port: flags.port, host: flags.host, evaluationImages: flags.evalImages });
      if (dashboard.reused) {
        console.log(`convkit dashboard already running for ${path.resolve(flags.runs)}: ${dashboard.url}`);
        return;
      }
      console.log(`convkit dashboard: ${dashboard.url}  (runs folder ${path.resolve(flags.runs)}; Ctrl-C stops it)`);
      if (!isLoopback(flags.host)) console.log(`note: listening on ${flags.host}, so other machines that reach it can see your runs`);
      await untilStopped();
      await dashboard.close();
    });
}
