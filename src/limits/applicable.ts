import type { LimitRule } from '../config/limits-schema.js';
import type { LlmFacts, Principal } from '../core/types.js';
import type { Period } from './periods.js';

export type LimitKind = 'requests' | 'tokens';

/** One limit that applies to a request, and the counter it is enforced on. */
export interface AppliedLimit {
  /** `credential.rpm`, `<rule name>.tpm`, `<rule name>.token_budget`: what policy and logs call it. */
  name: string;
  source: 'credential' | 'config';
  kind: LimitKind;
  period: Period;
  limit: number;
  /** The counter, window aside: `<name>|<identity id>`, or `<name>|*` for a shared rule. */
  counter: string;
  /** One counter for every matching caller (a shared config rule). */
  shared: boolean;
}

interface CompiledRule {
  rule: LimitRule;
  test: (p: Principal, llm: LlmFacts) => boolean;
}

/** Which limits apply to a caller's model call: its credential's, and every matching config rule's. */
export class LimitCatalogue {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly LimitRule[]) {
    this.rules = rules.map((rule) => ({ rule, test: ruleMatcher(rule) }));
  }

  /** Every applicable limit is enforced, so the most constraining one decides. */
  applicable(p: Principal, llm: LlmFacts): AppliedLimit[] {
    const out: AppliedLimit[] = [];
    if (p.limits) add(out, 'credential', 'credential', p.limits, p.id);
    for (const { rule, test } of this.rules) {
      if (test(p, llm)) add(out, 'config', rule.name, rule, rule.shared ? '*' : p.id);
    }
    return out;
  }
}

interface LimitFields {
  rpm?: number;
  tpm?: number;
  token_budget?: { tokens: number; period: Period };
}

function add(out: AppliedLimit[], source: AppliedLimit['source'], prefix: string, fields: LimitFields, scope: string): void {
  const push = (suffix: string, kind: LimitKind, period: Period, limit: number) => {
    const name = `${prefix}.${suffix}`;
    out.push({ name, source, kind, period, limit, counter: `${name}|${scope}`, shared: scope === '*' });
  };
  if (fields.rpm !== undefined) push('rpm', 'requests', '1m', fields.rpm);
  if (fields.tpm !== undefined) push('tpm', 'tokens', '1m', fields.tpm);
  if (fields.token_budget !== undefined) push('token_budget', 'tokens', fields.token_budget.period, fields.token_budget.tokens);
}

function ruleMatcher(rule: LimitRule): (p: Principal, llm: LlmFacts) => boolean {
  const { subject, group, key_id: keyId, tenant, model } = rule.match;
  const tests: Array<(p: Principal, llm: LlmFacts) => boolean> = [];
  if (subject !== undefined) tests.push(textTest(subject, (p) => p.subject));
  if (keyId !== undefined) tests.push(textTest(keyId, (p) => p.keyId));
  if (tenant !== undefined) tests.push(textTest(tenant, (p) => p.tenant));
  if (group !== undefined) {
    const re = globRegExp(group);
    tests.push((p) => p.groups.some((g) => re.test(g)));
  }
  if (model !== undefined) {
    const re = globRegExp(model);
    // A limit holds the line on what may run: a fallback that matches counts, and so does a model the request does not name.
    tests.push((_p, llm) => llm.modelUnknown || llm.models.some((m) => re.test(m)));
  }
  return (p, llm) => tests.every((t) => t(p, llm));
}

function textTest(glob: string, read: (p: Principal) => string | undefined): (p: Principal) => boolean {
  const re = globRegExp(glob);
  return (p) => {
    const value = read(p);
    return value !== undefined && re.test(value);
  };
}

/** `*` any run of characters, `?` one; everything else literal. */
export function globRegExp(glob: string): RegExp {
  const body = glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}
