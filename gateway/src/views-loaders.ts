import { withSpan } from '@pingquan/kit';
import DataLoader from 'dataloader';

/**
 * Wraps a DataLoader batch function in a span, so each resolver batch shows in the trace with its
 * size, between the GraphQL request and the downstream gRPC call it makes.
 */
export function tracedBatch<K, V>(
  name: string,
  batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
): (keys: readonly K[]) => Promise<readonly (V | Error)[]> {
  return (keys) =>
    withSpan(
      `dataloader ${name}`,
      { attributes: { 'pq.dataloader.name': name, 'pq.dataloader.batch_size': keys.length } },
      () => batch(keys),
    );
}

/** A per-request DataLoader whose batches are traced. */
export function tracedLoader<K, V, C = K>(
  name: string,
  batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options?: DataLoader.Options<K, V, C>,
): DataLoader<K, V, C> {
  return new DataLoader<K, V, C>(tracedBatch(name, batch), options);
}

/**
 * Forgets everything the loaders cached. A subscription keeps one context for its whole life, so each
 * event is resolved against fresh data.
 */
export function clearLoaders(loaders: object): void {
  for (const loader of Object.values(loaders)) {
    if (loader instanceof DataLoader) loader.clearAll();
  }
}
