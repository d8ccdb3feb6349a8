// The land-contract domain: plain data and pure rules, no I/O. The app layer wires persistence,
// gRPC and events around it.
export * from './abandonment.js';
export * from './adjustment.js';
export * from './certification.js';
export * from './circulation.js';
export * from './contract-rules.js';
export * from './encumbrance.js';
export * from './extension.js';
export * from './extinction.js';
export * from './figures.js';
export * from './history.js';
export * from './household.js';
export * from './model.js';
export * from './policy.js';
export * from './surrender.js';
export * from './term.js';
export * from './transfer.js';
