import type { RequestAudit } from './audit.js';
import type { GatewayContext } from './context.js';
import type { LiveFeed } from './subscriptions.js';
import type { ViewLoaders } from './views.js';

/**
 * What the gateway's own resolvers (views, live events) see: the shared per-request context plus the
 * view loaders, the audit collector and the live event feed.
 */
export interface RequestContext extends GatewayContext {
  views: ViewLoaders;
  audit: RequestAudit;
  /** Absent when live events are switched off (LIVE_EVENTS_ENABLED=false). */
  live: LiveFeed | undefined;
}
