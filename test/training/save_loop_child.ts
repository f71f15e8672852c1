// Child process for kill.test.ts: saves the same model again and again, each save marked
// with a version number (in the metadata, a resume file and the first kernel's values),
// and reports each finished save on stdout, until it is killed.
import { tf } from '../../src';
import { basicModel, saveModel } from '../../src/models';

async function main(): Promise<void> {
  const folder = process.argv[2];
  const model = basicModel({ seed: 1 });
  const kernel = model.weights[0];
  for (let version = 1; ; version++) {
    tf.tidy(() => {
      kernel.write(tf.fill(kernel.shape as number[], version));
    });
    await saveModel(model, folder, { version }, { 'resume.json': new TextEncoder().encode(JSON.stringify({ version })) });
    process.stdout.write(`saved ${version}\n`);
  }
}

main();
