import { Events } from '@pingquan/contracts/catalogue';
import type {
  CollateralDisposed,
  TransactionCertified,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import type { Subscription } from '@pingquan/kit';
import { onTransactionCertified } from '../app/exchange-certificates.js';
import { onCollateralDisposed } from '../app/exchange-disposals.js';

/**
 * The exchange centre's certificates and disposals land-contract consumes (declared with `consumes`
 * in events.proto), through the kit's inbox: the register's change, its audit and outbox rows and the
 * inbox row commit in one transaction. A deal or disposal the register cannot place is recorded for
 * review by the handler, not thrown, so only real failures (the database, a bug) are retried and
 * dead-lettered.
 */
export function exchangeSubscriptions(): Subscription<never>[] {
  const certified: Subscription<TransactionCertified> = {
    type: Events['property-mortgage'].TransactionCertified,
    handler: onTransactionCertified,
  };
  const disposed: Subscription<CollateralDisposed> = {
    type: Events['property-mortgage'].CollateralDisposed,
    handler: onCollateralDisposed,
  };
  // The kit runs subscriptions of any payload type; its list is typed by the narrowest one.
  return [certified, disposed] as unknown as Subscription<never>[];
}
