#!/usr/bin/env node
// Production migration command (the Helm hook Job runs it before new pods start).
import { runMigrateMain } from '@pingquan/kit';
import { propertyMortgageModule } from './module.js';

await runMigrateMain(propertyMortgageModule);
