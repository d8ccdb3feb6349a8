#!/usr/bin/env node
import { runServiceMain } from '@pingquan/kit';
import { propertyMortgageModule } from './module.js';

await runServiceMain(propertyMortgageModule);
