import { jwtVerify, SignJWT } from 'jose';
import { Metadata } from 'nice-grpc-common';
import { z } from 'zod';

/** Metadata key carrying the signed principal on every internal gRPC call. */
export const PRINCIPAL_METADATA_KEY = 'x-pq-principal';
const AUDIENCE = 'pingquan-services';
const ISSUER = 'pingquan-gateway';

export const ROLES = [
  'LEADING_GROUP',
  'LEAD_UNIT',
  'TOWNSHIP_OFFICIAL',
  'VILLAGE_TASK_FORCE',
  'COOPERATING_BANK',
  'COUNTY_SYSTEM',
  'AUDITOR',
  'SERVICE',
] as const;
export type RoleName = (typeof ROLES)[number];
export const TRACKS = ['A', 'B', 'C'] as const;
export type TrackName = (typeof TRACKS)[number];

const principalSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  name: z.string().optional(),
  /** Lead unit: the track it leads. */
  track: z.enum(TRACKS).optional(),
  /** Township official: 9-digit township codes in scope. */
  townships: z.array(z.string().regex(/^\d{9}$/)).optional(),
  /** Village task force: 12-digit village codes in scope. */
  villages: z.array(z.string().regex(/^\d{12}$/)).optional(),
  /** Cooperating bank: its unified social credit code. */
  bank: z.string().optional(),
});

/** Who is calling, and within which scope. Travels from the gateway to every service. */
export type Principal = z.infer<typeof principalSchema>;

/** The identity a service uses for its own work (event consumers, relays, batch jobs). */
export function servicePrincipal(service: string): Principal {
  return { sub: `service:${service}`, role: 'SERVICE' };
}

function keyBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Signs principals for outgoing calls. Tokens are short-lived and cached per principal object, so a
 * request that fans out to many calls signs once.
 */
export class PrincipalSigner {
  private readonly key: Uint8Array;
  private readonly cache = new WeakMap<Principal, { token: string; expires: number }>();
  constructor(
    secret: string,
    private readonly ttlSeconds = 300,
  ) {
    this.key = keyBytes(secret);
  }

  async sign(principal: Principal): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.cache.get(principal);
    if (cached && cached.expires - 30 > now) return cached.token;
    const { sub, ...claims } = principal;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(this.key);
    this.cache.set(principal, { token, expires: now + this.ttlSeconds });
    return token;
  }

  async metadata(principal: Principal, metadata = new Metadata()): Promise<Metadata> {
    metadata.set(PRINCIPAL_METADATA_KEY, await this.sign(principal));
    return metadata;
  }
}

/** Verifies the principal a caller sent; anything unsigned, expired or malformed is refused. */
export class PrincipalVerifier {
  private readonly key: Uint8Array;
  constructor(secret: string) {
    this.key = keyBytes(secret);
  }

  async verify(token: string): Promise<Principal> {
    const { payload } = await jwtVerify(token, this.key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    return principalSchema.parse(payload);
  }
}
