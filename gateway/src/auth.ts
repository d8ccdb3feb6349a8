import { type Principal, ROLES, TRACKS } from '@pingquan/kit';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { GatewayConfig } from './config.js';

/** Claims the platform reads from an identity provider's access token. */
const claimsSchema = z
  .object({
    sub: z.string().min(1),
    name: z.string().optional(),
    pq_role: z.enum(ROLES).refine((r) => r !== 'SERVICE', 'SERVICE is internal'),
    pq_track: z.enum(TRACKS).optional(),
    pq_townships: z.array(z.string().regex(/^\d{9}$/)).optional(),
    pq_villages: z.array(z.string().regex(/^\d{12}$/)).optional(),
    pq_bank: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    // A scoped role without its scope would see nothing; refuse the token with a reason instead.
    const needs: Partial<Record<string, keyof typeof c>> = {
      LEAD_UNIT: 'pq_track',
      TOWNSHIP_OFFICIAL: 'pq_townships',
      VILLAGE_TASK_FORCE: 'pq_villages',
      COOPERATING_BANK: 'pq_bank',
    };
    const claim = needs[c.pq_role];
    if (claim && (c[claim] === undefined || (Array.isArray(c[claim]) && c[claim].length === 0))) {
      ctx.addIssue({ code: 'custom', path: [claim], message: `${c.pq_role} tokens must carry ${claim}` });
    }
  });

export type TokenClaims = z.infer<typeof claimsSchema>;

export class AuthenticationError extends Error {}

/** Asymmetric algorithms accepted from the identity provider's JWKS (never HS*, never none). */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/**
 * Verifies bearer tokens with jose: signature, issuer, audience, expiry (with a small clock
 * tolerance). Keys come from the identity provider's JWKS (production; fetched and cached by jose,
 * refetched when a token names an unknown key id) or, in development only, from a shared HS256
 * secret. The algorithm list is fixed per key source so a token cannot choose its own.
 */
export class Authenticator {
  private readonly key: JWTVerifyGetKey | Uint8Array;
  /**
   * Verified tokens → their principal, until the token expires (at most 5 minutes). A client sends
   * the same token with every request: verifying it once saves a signature check per request, and
   * handing back the same principal object lets the internal signer reuse its signed metadata.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private static readonly CACHE_SIZE = 10_000;
  private static readonly CACHE_MS = 5 * 60_000;
  constructor(
    private readonly config: Pick<
      GatewayConfig,
      'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_JWKS_URL' | 'JWT_DEV_SECRET'
    > &
      Partial<Pick<GatewayConfig, 'JWT_CLOCK_TOLERANCE_S'>>,
  ) {
    if (config.JWT_JWKS_URL) this.key = createRemoteJWKSet(new URL(config.JWT_JWKS_URL));
    else this.key = new TextEncoder().encode(config.JWT_DEV_SECRET ?? '');
  }

  async authenticate(authorization: string | null): Promise<Principal> {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match?.[1]) throw new AuthenticationError('missing bearer token');
    const cached = this.verified.get(match[1]);
    if (cached && cached.until > Date.now()) return cached.principal;
    let payload: unknown;
    try {
      const options = {
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        clockTolerance: this.config.JWT_CLOCK_TOLERANCE_S ?? 30,
        // A token that never expires is refused: expiry is what bounds a stolen token.
        requiredClaims: ['exp'],
      };
      const verified =
        this.key instanceof Uint8Array
          ? await jwtVerify(match[1], this.key, { ...options, algorithms: ['HS256'] })
          : await jwtVerify(match[1], this.key, { ...options, algorithms: JWKS_ALGORITHMS });
      payload = verified.payload;
    } catch (error) {
      throw new AuthenticationError(`invalid token: ${(error as Error).message}`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success)
      throw new AuthenticationError(`token lacks platform claims: ${claims.error.issues[0]?.message}`);
    const principal = principalOf(claims.data);
    const exp = (payload as { exp?: unknown }).exp;
    const until = Math.min(typeof exp === 'number' ? exp * 1000 : 0, Date.now() + Authenticator.CACHE_MS);
    if (until > Date.now()) {
      if (this.verified.size >= Authenticator.CACHE_SIZE) {
        // Maps iterate in insertion order: drop the oldest entry.
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(match[1], { principal, until });
    }
    return principal;
  }
}

export function principalOf(c: TokenClaims): Principal {
  const principal: Principal = { sub: c.sub, role: c.pq_role };
  if (c.name) principal.name = c.name;
  if (c.pq_track) principal.track = c.pq_track;
  if (c.pq_townships) principal.townships = c.pq_townships;
  if (c.pq_villages) principal.villages = c.pq_villages;
  if (c.pq_bank) principal.bank = c.pq_bank;
  return principal;
}

/** Mints a development token (HS256) for a role; used by `pq-token` and tests. */
export async function mintDevToken(
  config: Pick<GatewayConfig, 'JWT_ISSUER' | 'JWT_AUDIENCE'> & { JWT_DEV_SECRET: string },
  claims: TokenClaims,
  ttlSeconds = 8 * 3600,
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(config.JWT_DEV_SECRET));
}
