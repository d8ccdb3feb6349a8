import { serviceEnvShape } from '@pingquan/kit';
import { z } from 'zod';

/** property-mortgage's environment: the kit's variables, this service's port, and where land-contract is. */
export const configSchema = z.object({
  ...serviceEnvShape,
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50104),
  /** land-contract's gRPC address, for collateral checks (fail closed when it cannot answer). */
  LAND_CONTRACT_GRPC_URL: z.string().min(1).default('127.0.0.1:50101'),
  /** Deadline of a collateral check against an owning service. */
  COLLATERAL_CHECK_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  /**
   * How often the daily classification job looks whether today's run has happened (it runs once a day,
   * soon after midnight Asia/Shanghai or after start-up); 0 turns the job off (on demand only).
   */
  CLASSIFICATION_CHECK_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
});
export type PropertyMortgageConfig = z.infer<typeof configSchema>;
