// The tutorial's visualize_hidden_layer_output.py with convkit: the feature maps every conv
// layer produces for one test image, one grid per layer.
//
//   node --import tsx examples/visualize_hidden_layer_output.ts runs/basic [out-folder, default RUN/examples/outputs] [image-index]
import * as fs from 'fs';
import * as path from 'path';

import { insight } from '../src';

async function mainExample(runFolder = 'runs/basic', outDir = path.join(runFolder, 'examples', 'outputs'), index = 0): Promise<void> {
  const run = await insight.openRun(runFolder);
  const dataset = await insight.loadRunData(run);
  const test = dataset.test ?? dataset.validation;
  const image = insight.imageAt(test, index);
  console.log(`image ${index}: a ${run.classNames[test.labels[index]]}`);

  fs.mkdirSync(outDir, { recursive: true });
  for (const maps of insight.featureMaps(run.model, image, { preprocess: run.preprocess })) {
    const figure = insight.render.featureMapGrid(maps, image);
    fs.writeFileSync(path.join(outDir, `${figure.name}.png`), figure.png);
    console.log(`${maps.outputLayerName}: ${maps.channels} maps of ${maps.width}x${maps.height}`);
  }
  console.log(`figures in ${outDir}`);
}

mainExample(process.argv[2], process.argv[3], process.argv[4] === undefined ? undefined : Number(process.argv[4])).catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
