import type { MigrationObject } from '@mikro-orm/core';
import { Register20261126 } from './20261126-register.js';
import { ImportExtension20261127 } from './20261127-import-extension.js';
import { Certification20261128 } from './20261128-certification.js';
import { Figures20261128 } from './20261128-figures.js';
import { Rights20261129 } from './20261129-rights.js';
import { Exchange20261130 } from './20261130-exchange.js';
import { ExchangeSettlement20261201 } from './20261201-exchange-settlement.js';

/** Applied in this order after the kit's own tables. Never edit a migration that has shipped. */
export const migrations: MigrationObject[] = [
  { name: 'Register20261126', class: Register20261126 },
  { name: 'Certification20261128', class: Certification20261128 },
  { name: 'Figures20261128', class: Figures20261128 },
  { name: 'ImportExtension20261127', class: ImportExtension20261127 },
  { name: 'Rights20261129', class: Rights20261129 },
  { name: 'Exchange20261130', class: Exchange20261130 },
  { name: 'ExchangeSettlement20261201', class: ExchangeSettlement20261201 },
];
