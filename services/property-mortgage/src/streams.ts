#!/usr/bin/env node
// Creates or updates this service's JetStream stream and its durable consumers (Helm hook Job).
import { EventsBySubject, Streams } from '@pingquan/contracts/catalogue';
import { runStreamsMain } from '@pingquan/kit';
import { propertyMortgageModule } from './module.js';

const consumes = [...EventsBySubject.values()].filter((e) =>
  e.consumers.includes(propertyMortgageModule.name),
);
await runStreamsMain(propertyMortgageModule, consumes, Streams);
