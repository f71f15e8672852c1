// The tutorial's visualize_hidden_layer_activation.py with convkit: for each conv and dense
// layer, gradient ascent from a grey noisy image on a filter's mean activation (40 steps,
// normalised gradient, plus jitter, decay and blur), one tile per filter.
//
//   node --import tsx examples/visualize_hidden_layer_activation.ts runs/basic [out-folder, default RUN/examples/activations] [layer]
import * as fs from 'fs';
import * as path from 'path';

import { insight } from '../src';

async function mainExample(runFolder = 'runs/basic', outDir = path.join(runFolder, 'examples', 'activations'), layerName?: string): Promise<void> {
  const run = await insight.openRun(runFolder);
  const layers = layerName ? [insight.layerNamed(run.model, layerName)]
    : run.model.layers.filter((layer) => ['Conv2D', 'Dense'].includes(layer.getClassName()));
  fs.mkdirSync(outDir, { recursive: true });
  for (const layer of layers) {
    const started = Date.now();
    const result = insight.activationMaximization(run.model, layer.name, { count: 16, steps: 40, preprocess: run.preprocess });
    const silent = result.patterns.filter((pattern) => !pattern.active).length;
    console.log(`${layer.name}: ${result.patterns.length} of ${result.filterCount} filters in ${Date.now() - started} ms`
      + (silent ? `, ${silent} never activate` : ''));
    const isOutput = layer === layers[layers.length - 1] && result.filterCount === run.classNames.length;
    const figure = insight.render.activationGrid(result, { classNames: isOutput ? run.classNames : undefined, steps: 40 });
    fs.writeFileSync(path.join(outDir, `${figure.name}.png`), figure.png);
  }
  console.log(`figures in ${outDir}`);
}

mainExample(process.argv[2], process.argv[3], process.argv[4]).catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
