// Loads tfjs's gradients and chained tensor methods, bundled by `npm run build` (see
// scripts/tfjs_extras_entry.js), from dist/ whether convkit runs from src/ or dist/src/.
import * as fs from 'fs';
import * as path from 'path';

// Types only (erased at run time): declares the chained methods, like tensor.slice().
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

const bundle = [path.join(__dirname, '..', 'dist', 'tfjs-extras.js'), path.join(__dirname, '..', 'tfjs-extras.js')]
  .find((file) => fs.existsSync(file));
if (!bundle) throw new Error('convkit: dist/tfjs-extras.js is missing; run `npm run build` in the convkit folder');
require(bundle);
