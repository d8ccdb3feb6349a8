import { Streams } from '@pingquan/contracts/catalogue';
import { PolicyServiceDefinition } from '@pingquan/contracts/pingquan/common/v1/policy';
import { policyHandlers, type ServiceModule } from '@pingquan/kit';
import { todayInShanghai } from '@pingquan/reference';
import { configSchema, type PropertyMortgageConfig } from './config.js';
import { migrations } from './migrations/index.js';
import { entities } from './persistence/entities.js';
import { policies } from './policies.js';

export const SERVICE_NAME = 'property-mortgage';

/** The exchange centre as the kit runs it: storage, gRPC API, events. */
export const propertyMortgageModule: ServiceModule<PropertyMortgageConfig> = {
  name: SERVICE_NAME,
  stream: Streams['property-mortgage'],
  entities,
  migrations,
  configSchema,
  register(runtime) {
    runtime.grpc.add(
      PolicyServiceDefinition,
      policyHandlers(runtime.orm, 'B', policies, () => todayInShanghai()),
    );
  },
};
