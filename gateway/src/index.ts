export { Authenticator, mintDevToken, type TokenClaims } from './auth.js';
export { type GatewayConfig, gatewayConfigSchema } from './config.js';
export type { Downstream } from './downstream.js';
export { LIMITS } from './limits.js';
export { createBaselineServer } from './limits-baseline.js';
export { typeDefs } from './schema/index.js';
export { createGateway, type Gateway, type GatewayOptions } from './server.js';
export { VIEW_OPERATIONS } from './views-operations.js';
