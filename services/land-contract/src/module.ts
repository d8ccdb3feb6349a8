import { Streams } from '@pingquan/contracts/catalogue';
import { PolicyServiceDefinition } from '@pingquan/contracts/pingquan/common/v1/policy';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { policyHandlers, type ServiceModule } from '@pingquan/kit';
import { todayInShanghai } from '@pingquan/reference';
import { configSchema, type LandContractConfig } from './config.js';
import { migrations } from './migrations/index.js';
import { entities } from './persistence/entities.js';
import { policies } from './policies.js';
import { landContractHandlers } from './rpc/handlers.js';

export const SERVICE_NAME = 'land-contract';

/** The land-contract service as the kit runs it: storage, gRPC API, events. */
export const landContractModule: ServiceModule<LandContractConfig> = {
  name: SERVICE_NAME,
  stream: Streams['land-contract'],
  entities,
  migrations,
  configSchema,
  register(runtime) {
    runtime.grpc.add(LandContractServiceDefinition, landContractHandlers(runtime.orm));
    runtime.grpc.add(
      PolicyServiceDefinition,
      policyHandlers(runtime.orm, 'A', policies, () => todayInShanghai()),
    );
  },
};
