import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { TollgateError } from '../../core/errors.js';
import { isObject } from '../../core/is-object.js';
import type { AccessAnswer, AccessQuestion } from '../../core/access-evaluation.js';
import { requestMalformed } from '../http/malformed.js';
import { action, context, entity } from './decode.js';

/**
 * The Search APIs: candidates of the searched kind come from policy data
 * (data.tollgate.authzen.subjects / resources / actions); each is evaluated with the request's
 * other entities and the permitted ones are returned, a page at a time.
 */
export type SearchKind = 'subject' | 'resource' | 'action';

/** Where each kind's candidates are in the bundle's data. */
export const CANDIDATE_PATHS: Record<SearchKind, readonly string[]> = {
  subject: ['tollgate', 'authzen', 'subjects'],
  resource: ['tollgate', 'authzen', 'resources'],
  action: ['tollgate', 'authzen', 'actions'],
};

export interface SearchRequest {
  kind: SearchKind;
  /** The question with the searched entity's identifier left empty (each candidate fills it in). */
  template: AccessQuestion;
  /** The searched type (subject and resource searches). */
  type: string;
  limit: number;
  token: string | null;
}

/** Subject and resource searches need the searched entity's type (its id is ignored); action search has no action. */
export function decodeSearch(kind: SearchKind, doc: Record<string, unknown>, pageSize: number): SearchRequest {
  const template: AccessQuestion = {
    subject: entity(doc.subject, 'subject', kind !== 'subject'),
    action: kind === 'action' ? { name: '' } : action(doc.action),
    resource: entity(doc.resource, 'resource', kind !== 'resource'),
    context: context(doc.context, 'context'),
  };
  const { limit, token } = page(doc.page, pageSize);
  return { kind, template, type: kind === 'subject' ? template.subject.type : template.resource.type, limit, token };
}

function page(value: unknown, pageSize: number): { limit: number; token: string | null } {
  if (value === undefined) return { limit: pageSize, token: null };
  if (!isObject(value)) throw requestMalformed('"page" must be an object');
  const { limit, token } = value;
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 0)) throw requestMalformed('"page.limit" must be a non-negative integer');
  if (token !== undefined && typeof token !== 'string') throw requestMalformed('"page.token" must be a string');
  return { limit: Math.min((limit as number | undefined) ?? pageSize, pageSize), token: token ? token : null };
}

/** A result entity: identifiers only. */
export type SearchResult = { type: string; id: string } | { name: string };

interface Candidate {
  result: SearchResult;
  question: AccessQuestion;
}

/**
 * The candidates of the searched type, each as a full question. A candidate's `properties` are the
 * entity's, overlaid by what the request says of the searched entity. Malformed entries are skipped.
 */
export function candidates(search: SearchRequest, data: unknown): Candidate[] {
  if (!Array.isArray(data)) return [];
  const { template } = search;
  const out: Candidate[] = [];
  for (const c of data) {
    if (!isObject(c)) continue;
    const properties = isObject(c.properties) ? c.properties : undefined;
    if (search.kind === 'action') {
      if (typeof c.name !== 'string') continue;
      out.push({ result: { name: c.name }, question: { ...template, action: { name: c.name, ...(properties && { properties }) } } });
      continue;
    }
    if (c.type !== search.type || typeof c.id !== 'string') continue;
    const asked = search.kind === 'subject' ? template.subject : template.resource;
    const merged = properties || asked.properties ? { ...properties, ...asked.properties } : undefined;
    const found = { type: c.type, id: c.id, ...(merged && { properties: merged }) };
    out.push({ result: { type: c.type, id: c.id }, question: { ...template, [search.kind]: found } });
  }
  return out;
}

export interface SearchPage {
  results: SearchResult[];
  nextToken: string;
}

/**
 * Evaluates candidates from the token's offset until `limit` are permitted, and one more to know
 * whether another page exists (so the last page says "" rather than pointing at nothing).
 */
export function searchPage(all: Candidate[], start: number, limit: number, answer: (q: AccessQuestion) => AccessAnswer, binding: string): SearchPage {
  const results: SearchResult[] = [];
  for (let i = start; i < all.length; i++) {
    if (!answer(all[i].question).decision) continue;
    if (results.length === limit) return { results, nextToken: encodeToken(i, binding) };
    results.push(all[i].result);
  }
  return { results, nextToken: '' };
}

/** What a page token is bound to: the endpoint, the caller and everything the request said but the token. */
export function searchBinding(path: string, callerId: string | null, doc: Record<string, unknown>): string {
  const page = isObject(doc.page) ? { ...doc.page, token: undefined } : undefined;
  const bound = { path, callerId, subject: doc.subject, action: doc.action, resource: doc.resource, context: doc.context, page };
  return createHash('sha256').update(stringify(bound) ?? '').digest('base64url').slice(0, 22);
}

function encodeToken(offset: number, binding: string): string {
  return Buffer.from(`${offset}.${binding}`, 'utf8').toString('base64url');
}

/** The offset a token resumes at (0 without one); a token for another request or caller is a 400. */
export function tokenOffset(token: string | null, binding: string): number {
  if (token === null) return 0;
  const match = /^(\d{1,9})\.([A-Za-z0-9_-]{22})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match || match[2] !== binding) {
    throw new TollgateError('ERR_PAGE_TOKEN_INVALID', 'page.token was not issued for this request: repeat the request that returned it unchanged');
  }
  return Number(match[1]);
}
