import type { MigrationObject } from '@mikro-orm/core';
import { Register20261126 } from './20261126-register.js';

/** Applied in this order after the kit's own tables. Never edit a migration that has shipped. */
export const migrations: MigrationObject[] = [{ name: 'Register20261126', class: Register20261126 }];
