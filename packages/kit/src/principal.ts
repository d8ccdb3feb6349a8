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
/** A small bounded map: oldest entries go first once it is full. */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(key, value);
  }
}

export class PrincipalSigner {
  private readonly key: Uint8Array;
  // Keyed by the principal's content: the gateway builds a new principal object per request, and
  // the same caller should reuse one token (and the services their verification) while it is fresh.
  private readonly cache = new BoundedCache<{ token: string; expires: number }>(10_000);
  constructor(
    secret: string,
    private readonly ttlSeconds = 300,
  ) {
    this.key = keyBytes(secret);
  }

  async sign(principal: Principal): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const cacheKey = JSON.stringify(principal);
    const cached = this.cache.get(cacheKey);
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
    this.cache.set(cacheKey, { token, expires: now + this.ttlSeconds });
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
  // A token verified once stays valid until it expires; callers reuse tokens, so verify each once.
  private readonly verified = new BoundedCache<{ principal: Principal; expires: number }>(10_000);
  constructor(secret: string) {
    this.key = keyBytes(secret);
  }

  async verify(token: string): Promise<Principal> {
    const now = Math.floor(Date.now() / 1000);
    const hit = this.verified.get(token);
    if (hit && hit.expires > now) return hit.principal;
    const { payload } = await jwtVerify(token, this.key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const principal = principalSchema.parse(payload);
    this.verified.set(token, { principal, expires: payload.exp ?? now });
    return principal;
  }
}
