// tfjs-core's Node build leaves out gradient definitions and chained tensor methods (its
// union package adds them). They ship only as ES modules with extensionless imports, which
// Node's require cannot load, so the build bundles them into dist/tfjs-extras.js. They
// register into tfjs's global registries, so they serve the one tfjs-core convkit uses.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
