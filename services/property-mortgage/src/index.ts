export { configSchema, type PropertyMortgageConfig } from './config.js';
export { propertyMortgageModule, SERVICE_NAME } from './module.js';
