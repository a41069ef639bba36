// ES module entry: import createConvLabEngine from 'convlab-engine'.
import { createRequire } from 'node:module';

const createConvLabEngine = createRequire(import.meta.url)('./convlab_engine.js');
export default createConvLabEngine;
export { createConvLabEngine };
