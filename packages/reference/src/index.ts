export * from './dates.js';
export * from './divisions.js';
export * from './identifiers.js';
export * from './money.js';
export * from './resolution.js';
export * from './units.js';
export * from './violation.js';
