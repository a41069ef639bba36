// CommonJS entry: require('convlab-engine') → createConvLabEngine (also as .default and by name).
'use strict';
const createConvLabEngine = require('./convlab_engine.js');
module.exports = createConvLabEngine;
module.exports.default = createConvLabEngine;
module.exports.createConvLabEngine = createConvLabEngine;
