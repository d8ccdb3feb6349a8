import { serviceEnvShape } from '@pingquan/kit';
import { z } from 'zod';

/** land-contract's environment: the kit's variables, with this service's default port. */
export const configSchema = z.object({
  ...serviceEnvShape,
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50101),
  /** How often to mark circulations whose term has run out as EXPIRED (ms); 0 turns it off. */
  CIRCULATION_EXPIRY_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
});
export type LandContractConfig = z.infer<typeof configSchema>;
