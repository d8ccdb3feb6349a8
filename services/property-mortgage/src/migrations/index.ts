import type { MigrationObject } from '@mikro-orm/core';

/** Applied in this order after the kit's own tables. Never edit a migration that has shipped. */
export const migrations: MigrationObject[] = [];
