import type { ClaimMapping } from '../../config/identity-schema.js';
import { TollgateError } from '../../core/errors.js';
import type { CallerLimits } from '../../core/types.js';
import { parseTokenBudget } from '../../limits/periods.js';
import { readClaim } from './claims.js';

/**
 * The limits an issuer maps from claims (claims.rpm, claims.tpm: positive integers; claims.token_budget:
 * `N/PERIOD`). A mapped claim the token lacks sets nothing; one it carries malformed refuses the token,
 * so a typo never lifts a limit.
 */
export function limitsFromClaims(claims: Record<string, unknown>, mapping: ClaimMapping): CallerLimits | undefined {
  const limits: CallerLimits = {};
  for (const field of ['rpm', 'tpm'] as const) {
    const path = mapping[field];
    const value = path ? readClaim(claims, path) : undefined;
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalid(path!);
    limits[field] = value;
  }
  const budgetPath = mapping.token_budget;
  const budget = budgetPath ? readClaim(claims, budgetPath) : undefined;
  if (budget !== undefined) {
    const parsed = typeof budget === 'string' ? parseTokenBudget(budget) : null;
    if (!parsed) throw invalid(budgetPath!);
    limits.token_budget = parsed;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

function invalid(path: string): TollgateError {
  return new TollgateError('ERR_JWT_CLAIM_INVALID', `the "${path}" claim is not a valid limit`);
}
