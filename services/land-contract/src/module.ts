import { Streams } from '@pingquan/contracts/catalogue';
import { PolicyServiceDefinition } from '@pingquan/contracts/pingquan/common/v1/policy';
import { CertificationServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import { ExtensionServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import { LandFiguresServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/figures';
import { LandHistoryServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/history';
import { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { LandRightsServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import { policyHandlers, type ServiceModule } from '@pingquan/kit';
import { todayInShanghai } from '@pingquan/reference';
import { extensionRunnerFor } from './app/extension-runner.js';
import { configSchema, type LandContractConfig } from './config.js';
import { encumbranceSubscriptions } from './events/encumbrance-subscriptions.js';
import { exchangeSubscriptions } from './events/exchange-subscriptions.js';
import { startCirculationExpiry } from './jobs/circulation-expiry.js';
import { migrations } from './migrations/index.js';
import { certificationEntities } from './persistence/certification.js';
import { entities } from './persistence/entities.js';
import { exchangeEntities } from './persistence/exchange-entities.js';
import { rightsEntities } from './persistence/rights-entities.js';
import { policies } from './policies.js';
import { certificationHandlers } from './rpc/certification.js';
import { collateralHandlers } from './rpc/collateral-handlers.js';
import { extensionHandlers } from './rpc/extension-handlers.js';
import { landFiguresHandlers } from './rpc/figures.js';
import { landContractHandlers } from './rpc/handlers.js';
import { landHistoryHandlers } from './rpc/history.js';
import { registerImportHandlers } from './rpc/import-handlers.js';
import { landRightsHandlers } from './rpc/rights-handlers.js';

export const SERVICE_NAME = 'land-contract';

/** The land-contract service as the kit runs it: storage, gRPC API, events. */
export const landContractModule: ServiceModule<LandContractConfig> = {
  name: SERVICE_NAME,
  stream: Streams['land-contract'],
  entities: [...entities, ...certificationEntities, ...rightsEntities, ...exchangeEntities],
  migrations,
  configSchema,
  register(runtime) {
    runtime.grpc.add(LandContractServiceDefinition, landContractHandlers(runtime.orm, runtime.logger));
    runtime.grpc.add(
      PolicyServiceDefinition,
      policyHandlers(runtime.orm, 'A', policies, () => todayInShanghai()),
    );
    runtime.grpc.add(CertificationServiceDefinition, certificationHandlers(runtime.orm, runtime.logger));
    runtime.grpc.add(LandHistoryServiceDefinition, landHistoryHandlers(runtime.orm, runtime.logger));
    runtime.grpc.add(LandFiguresServiceDefinition, landFiguresHandlers(runtime.orm, runtime.logger));
    runtime.grpc.add(RegisterImportServiceDefinition, registerImportHandlers(runtime.orm));
    runtime.grpc.add(ExtensionServiceDefinition, extensionHandlers(runtime.orm, extensionRunnerFor(runtime)));
    runtime.grpc.add(LandRightsServiceDefinition, landRightsHandlers(runtime.orm));
    runtime.grpc.add(CollateralServiceDefinition, collateralHandlers(runtime.orm));
  },
  // Mortgages registered and released by the exchange centre (property-mortgage), through the inbox;
  // then its transaction certificates and the disposals of mortgaged management rights.
  subscriptions() {
    return [...encumbranceSubscriptions(), ...exchangeSubscriptions()];
  },
  // 延包 batches run in the background and resume from their committed cursors after a restart;
  // circulations whose term has run out are marked EXPIRED (到期) every interval.
  background(runtime) {
    const runner = extensionRunnerFor(runtime).start();
    const expiry =
      runtime.config.CIRCULATION_EXPIRY_INTERVAL_MS > 0
        ? startCirculationExpiry({
            orm: runtime.orm,
            logger: runtime.logger.child({ component: 'circulation-expiry' }),
            service: SERVICE_NAME,
            intervalMs: runtime.config.CIRCULATION_EXPIRY_INTERVAL_MS,
          })
        : undefined;
    return {
      async stop() {
        await Promise.all([runner?.stop(), expiry?.stop()]);
      },
    };
  },
};
