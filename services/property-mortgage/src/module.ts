import { Streams } from '@pingquan/contracts/catalogue';
import { PolicyServiceDefinition } from '@pingquan/contracts/pingquan/common/v1/policy';
import { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import { policyHandlers, type ServiceModule, type ServiceRuntime, servicePrincipal } from '@pingquan/kit';
import { type Clock, systemClock, today } from './app/context.js';
import { centreVerifier } from './collateral/centre.js';
import { landContractVerifier } from './collateral/land-contract.js';
import { type CollateralVerifiers, verifierRegistry } from './collateral/verifier.js';
import { configSchema, type PropertyMortgageConfig } from './config.js';
import { startDailyClassification } from './jobs/daily-classification.js';
import { migrations } from './migrations/index.js';
import { entities } from './persistence/entities.js';
import { policies } from './policies.js';
import { propertyMortgageHandlers } from './rpc/handlers.js';

export const SERVICE_NAME = 'property-mortgage';

export interface PropertyMortgageOptions {
  /** The service's clock (tests move it forward to let loans fall overdue). */
  clock?: Clock;
  /** Collateral verifiers per right type; by default land-contract over gRPC and the centre's register. */
  verifiers?: (runtime: ServiceRuntime<PropertyMortgageConfig>) => CollateralVerifiers;
}

/** The owners of rights as they exist today; homestead, collective-equity and eco-product plug in here. */
export function defaultVerifiers(runtime: ServiceRuntime<PropertyMortgageConfig>): CollateralVerifiers {
  return verifierRegistry({
    'land-contract': landContractVerifier({
      client: runtime.clients.create(CollateralServiceDefinition, runtime.config.LAND_CONTRACT_GRPC_URL),
      deadlineMs: runtime.config.COLLATERAL_CHECK_DEADLINE_MS,
      principal: servicePrincipal(SERVICE_NAME),
    }),
    centre: centreVerifier(runtime.orm),
  });
}

/** The exchange centre as the kit runs it: storage, gRPC API, events, the daily classification job. */
export function createPropertyMortgageModule(
  options: PropertyMortgageOptions = {},
): ServiceModule<PropertyMortgageConfig> {
  const clock = options.clock ?? systemClock;
  return {
    name: SERVICE_NAME,
    stream: Streams['property-mortgage'],
    entities,
    migrations,
    configSchema,
    register(runtime) {
      const verifiers = options.verifiers?.(runtime) ?? defaultVerifiers(runtime);
      runtime.grpc.add(
        PropertyMortgageServiceDefinition,
        propertyMortgageHandlers({ orm: runtime.orm, clock, verifiers }),
      );
      runtime.grpc.add(
        PolicyServiceDefinition,
        policyHandlers(runtime.orm, 'B', policies, () => today(clock)),
      );
    },
    background(runtime) {
      if (runtime.config.CLASSIFICATION_CHECK_INTERVAL_MS === 0) return undefined;
      return startDailyClassification({
        orm: runtime.orm,
        clock,
        logger: runtime.logger.child({ component: 'daily-classification' }),
        service: SERVICE_NAME,
        intervalMs: runtime.config.CLASSIFICATION_CHECK_INTERVAL_MS,
      });
    },
  };
}

export const propertyMortgageModule: ServiceModule<PropertyMortgageConfig> = createPropertyMortgageModule();
