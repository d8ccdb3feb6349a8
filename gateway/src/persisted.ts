import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Persisted operations (OWASP: allow-list the operations production clients may run). A manifest maps
 * the SHA-256 of each operation document (lowercase hex) to the document. Clients send the hash only:
 * `{"documentId": "<hash>", "variables": …}` (GraphQL over HTTP persisted documents) or Apollo's
 * `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hash>"}}}`.
 */
export type PersistedManifest = ReadonlyMap<string, string>;

export function operationHash(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/** Builds a manifest from documents, keyed by their hash (what `cli/schema.ts --persisted` writes). */
export function manifestOf(documents: Iterable<string>): Record<string, string> {
  const manifest: Record<string, string> = {};
  for (const document of documents) manifest[operationHash(document)] = document;
  return manifest;
}

/**
 * Reads a manifest: either `{ "<sha256>": "<document>", … }` or Apollo's persisted query manifest
 * `{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }, …] }`. Every key
 * must be the hash of its document, so a manifest cannot smuggle in a document under another id.
 */
export function loadManifest(file: string): PersistedManifest {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const entries: [string, string][] = [];
  if (isApolloManifest(raw)) {
    for (const op of raw.operations) entries.push([op.id, op.body]);
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [id, body] of Object.entries(raw)) {
      if (typeof body !== 'string') throw new Error(`${file}: entry ${id} is not a document string`);
      entries.push([id, body]);
    }
  } else {
    throw new Error(`${file}: expected an object of hash → document or an Apollo manifest`);
  }
  const manifest = new Map<string, string>();
  for (const [id, body] of entries) {
    if (operationHash(body) !== id.toLowerCase()) {
      throw new Error(`${file}: id ${id} is not the SHA-256 of its document`);
    }
    manifest.set(id.toLowerCase(), body);
  }
  return manifest;
}

function isApolloManifest(
  value: unknown,
): value is { format: string; operations: { id: string; body: string }[] } {
  const v = value as { format?: unknown; operations?: unknown };
  return v?.format === 'apollo-persisted-query-manifest' && Array.isArray(v.operations);
}

export interface PersistedRequest {
  query?: string | undefined;
  documentId?: unknown;
  extensions?: Record<string, unknown> | undefined;
}

/** The hash a request names, if any. */
export function requestedHash(params: PersistedRequest): string | undefined {
  if (typeof params.documentId === 'string' && params.documentId) return params.documentId;
  const pq = params.extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined;
  return typeof pq?.sha256Hash === 'string' && pq.sha256Hash ? pq.sha256Hash : undefined;
}

function persistedError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/**
 * Resolves a request's document: the manifest's for a hash, or the request's own text when persisted
 * operations are not enforced. Throws PERSISTED_OPERATION_NOT_FOUND for an unknown hash and
 * PERSISTED_OPERATION_REQUIRED for free text when enforced. Shared by HTTP and WebSocket.
 */
export function resolveDocument(
  params: PersistedRequest,
  manifest: PersistedManifest | undefined,
  enforce: boolean,
): string | undefined {
  const hash = requestedHash(params);
  if (hash) {
    const document = manifest?.get(hash.toLowerCase());
    if (!document) {
      throw persistedError(
        'PERSISTED_OPERATION_NOT_FOUND',
        'No persisted operation has this id; production clients may run only operations in the manifest.',
      );
    }
    return document;
  }
  if (enforce) {
    throw persistedError(
      'PERSISTED_OPERATION_REQUIRED',
      'Only persisted operations are accepted here: send documentId (the SHA-256 of the document) instead of the query text.',
    );
  }
  return params.query;
}

/**
 * A small yoga plugin standing in for @graphql-yoga/plugin-persisted-operations (not installed):
 * swaps the hash for its document before parsing, and refuses free text when enforced.
 */
export function persistedOperations(manifest: PersistedManifest | undefined, enforce: boolean): Plugin {
  return {
    onParams({ params, setParams }) {
      const request = params as PersistedRequest;
      if (!requestedHash(request) && !enforce) return;
      const query = resolveDocument(request, manifest, enforce);
      const { documentId: _ignored, ...rest } = params as typeof params & { documentId?: unknown };
      setParams({ ...rest, ...(query === undefined ? {} : { query }) });
    },
  };
}
