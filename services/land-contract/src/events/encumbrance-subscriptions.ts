import { Events } from '@pingquan/contracts/catalogue';
import type {
  MortgageRegistered,
  MortgageReleased,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import type { Subscription } from '@pingquan/kit';
import { onMortgageRegistered, onMortgageReleased } from '../app/encumbrance.js';

/**
 * The mortgage events land-contract consumes (declared with `consumes` in events.proto). Each runs
 * through the kit's inbox: the encumbrance change and the inbox row commit in one transaction.
 */
export function encumbranceSubscriptions(): Subscription<never>[] {
  const registered: Subscription<MortgageRegistered> = {
    type: Events['property-mortgage'].MortgageRegistered,
    handler: onMortgageRegistered,
  };
  const released: Subscription<MortgageReleased> = {
    type: Events['property-mortgage'].MortgageReleased,
    handler: onMortgageReleased,
  };
  // The kit runs subscriptions of any payload type; its list is typed by the narrowest one.
  return [registered, released] as unknown as Subscription<never>[];
}
