import { serviceEnvShape } from '@pingquan/kit';
import { z } from 'zod';

/** land-contract's environment: the kit's variables, with this service's default port. */
export const configSchema = z.object({
  ...serviceEnvShape,
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50101),
});
export type LandContractConfig = z.infer<typeof configSchema>;
