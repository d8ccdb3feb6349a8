export { configSchema, type LandContractConfig } from './config.js';
export { landContractModule, SERVICE_NAME } from './module.js';
