export type { Clock } from './app/context.js';
export type { CollateralVerifier, CollateralVerifiers } from './collateral/verifier.js';
export { configSchema, type PropertyMortgageConfig } from './config.js';
export type { CollateralFacts } from './domain/model.js';
export {
  createPropertyMortgageModule,
  defaultVerifiers,
  type PropertyMortgageOptions,
  propertyMortgageModule,
  SERVICE_NAME,
} from './module.js';
