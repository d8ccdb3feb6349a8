import type { MigrationObject } from '@mikro-orm/core';
import { ExchangeCentre20261126 } from './20261126-exchange-centre.js';

/** Applied in this order after the kit's own tables. Never edit a migration that has shipped. */
export const migrations: MigrationObject[] = [
  { name: 'ExchangeCentre20261126', class: ExchangeCentre20261126 },
];
