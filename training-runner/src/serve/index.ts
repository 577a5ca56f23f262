/** The prediction server's public surface (re-exported by the runner's entry). */
export { startModelServer, type ModelServer, type ServeOptions } from './server.js'
export { folderSource, registrySource, type ModelSource, type RegistrySourceOptions } from './model-source.js'
export { ServeMetrics } from './metrics.js'
// Real tiny model folders and photos, for benches that load-test the server without training first.
export { testPhoto, writeTinyModel, type TinyModelOptions } from './fixtures/tiny-model.js'
