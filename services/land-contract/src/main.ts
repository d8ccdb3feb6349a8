#!/usr/bin/env node
import { runServiceMain } from '@pingquan/kit';
import { landContractModule } from './module.js';

await runServiceMain(landContractModule);
