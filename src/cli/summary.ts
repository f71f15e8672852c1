import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';

// Registers the native backend.
import '..';
import { ConvkitError } from '../errors';
import { MODEL_FILE, buildModel, formatSummary, isModelName, loadArchitecture } from '../models';

/** `convkit summary MODEL`: Keras's model.summary() table. */
export function registerSummaryCommand(program: Command): void {
  program.command('summary')
    .description("print a model's layers, output shapes and parameter counts, as Keras's model.summary()")
    .argument('<model>', 'basic, improved, a model .json (Keras to_json or convkit), or a run folder')
    .action(async (name: string) => {
      const isFolder = fs.existsSync(name) && fs.statSync(name).isDirectory();
      if (!isModelName(name) && !isFolder && !/\.json$/i.test(name)) {
        throw new ConvkitError(`unknown model '${name}': use basic, improved, a model .json file or a run folder`);
      }
      const model = isModelName(name) ? buildModel(name) : await loadArchitecture(isFolder ? path.join(name, MODEL_FILE) : name);
      console.log(formatSummary(model));
      model.dispose();
    });
}
