export { Authenticator, mintDevToken, type TokenClaims } from './auth.js';
export { type GatewayConfig, gatewayConfigSchema } from './config.js';
export type { Downstream } from './downstream.js';
export { typeDefs } from './schema/index.js';
export { createGateway, type Gateway, LIMITS } from './server.js';
