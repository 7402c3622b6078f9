import { isPaymentCard } from '../../../../src/core/findings/detectors.js';
import { findingsIn } from '../../../../src/core/findings/findings.js';

// Test values assembled at run time, so no scanner flags this file; none is a live credential.
const AWS = `AKIA${'IOSFODNN7EXAMPLE'}`;
const TG = `tg_abcdefghijkl_${'A'.repeat(43)}`;
const OPENAI = `sk-proj-${'a1B2'.repeat(8)}T3BlbkFJ${'c3D4'.repeat(8)}`;
const ANTHROPIC = `sk-ant-api03-${'x9_Y'.repeat(20)}`;
const GITHUB = `ghp_${'a'.repeat(36)}`;
const SLACK = `xoxb-1234567890-${'abcDEF123'.repeat(2)}`;
const GOOGLE = `AIza${'S'.repeat(35)}`;
const STRIPE = `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`;
const JWT = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${'s1g'.repeat(10)}`;
const PEM = `-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----`;

describe('prompt findings', () => {
  test.each([
    ['secret.private_key', PEM],
    ['secret.private_key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
    ['secret.private_key', '-----BEGIN PRIVATE KEY-----'],
    ['secret.aws_access_key', `key id ${AWS}, region eu`],
    ['secret.tollgate_key', `use ${TG} please`],
    ['secret.openai_key', `"${OPENAI}"`],
    ['secret.anthropic_key', `x-api-key: ${ANTHROPIC}`],
    ['secret.github_token', GITHUB],
    ['secret.slack_token', SLACK],
    ['secret.google_api_key', `key=${GOOGLE}`],
    ['secret.stripe_key', STRIPE],
    ['secret.jwt', `Authorization: Bearer ${JWT}`],
    ['pii.email', 'mail alice.o+test@example.co.uk today'],
    ['pii.payment_card', 'card 4111 1111 1111 1111 exp 12/29'],
    ['pii.payment_card', 'card 5500-0000-0000-0004'],
    ['pii.payment_card', '378282246310005'],
  ])('finds %s', (kind, text) => {
    expect(findingsIn([{ messages: [{ role: 'user', content: text }] }])).toEqual([{ kind, count: 1 }]);
  });

  test.each([
    ['prose about keys', 'Rotate the AWS access key and the private key every 90 days; never paste sk- keys.'],
    ['an AKIA-like word that is too short', 'AKIAIOSFODNN7'],
    ['an AKIA-like run inside a longer token', `x${AWS}y`],
    ['a hyphenated slug starting with sk-', 'sk-this-is-a-very-long-hyphenated-product-name-for-testing'],
    ['a base64 blob', 'data:image/png;base64,' + 'iVBORw0KGgoAAAANSUhEUgAA'.repeat(50)],
    ['an order number that fails Luhn', 'order 4111 1111 1111 1112'],
    ['a digit run that passes Luhn but is no card network', '0000000000000000'],
    ['a phone number', '+1 415 555 0100'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['an at-sign without a domain', 'ping @alice and @bob'],
    ['a tool name', 'search_docs'],
  ])('does not flag %s', (_name, text) => {
    expect(findingsIn([{ prompt: text }])).toEqual([]);
  });

  test('counts every occurrence across the strings of any nesting, sorted by kind, never the text', () => {
    const body = { model: 'gpt-4o', messages: [{ content: [{ type: 'text', text: `${AWS} and ${AWS}` }] }, { content: 'bob@example.com' }], tools: [{ description: JWT }] };
    const found = findingsIn([body]);
    expect(found).toEqual([{ kind: 'pii.email', count: 1 }, { kind: 'secret.aws_access_key', count: 2 }, { kind: 'secret.jwt', count: 1 }]);
    expect(JSON.stringify(found)).not.toMatch(/AKIA|example\.com|eyJ/);
  });

  test('in one long text each detector finds its kind, whichever other hints the text holds', () => {
    const prose = 'the quarterly report shows growth '.repeat(100);
    // Two detectors hinted by `_`; Slack and Anthropic keys (hinted by their prefixes) beside digits; the card's digits in the last string only.
    const body = { messages: [{ content: `${prose}${TG} ${prose}` }, { content: GITHUB }, { content: `${SLACK} ${ANTHROPIC}` }, { content: `${prose} 4111 1111 1111 1111` }] };
    expect(findingsIn([body])).toEqual([
      { kind: 'pii.payment_card', count: 1 }, { kind: 'secret.anthropic_key', count: 1 }, { kind: 'secret.github_token', count: 1 },
      { kind: 'secret.slack_token', count: 1 }, { kind: 'secret.tollgate_key', count: 1 },
    ]);
    expect(findingsIn([{ content: prose }])).toEqual([]);
  });

  test('a secret split across two strings is not glued together', () => {
    expect(findingsIn([['AKIAIOSF', 'ODNN7EXAMPLE']])).toEqual([]);
  });

  test('hostile input stays linear: 256 KiB of near-misses in well under a second', () => {
    const hostile = ['eyJ'.repeat(20_000), '-eyJa'.repeat(10_000), 'sk-'.repeat(20_000), 'a'.repeat(60_000), '4'.repeat(60_000), '-----BEGIN '.repeat(5000)].join('\n');
    const started = performance.now();
    findingsIn([hostile]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('Luhn and card networks', () => {
    expect(isPaymentCard('4012888888881881')).toBe(true);
    expect(isPaymentCard('4012888888881882')).toBe(false);
    expect(isPaymentCard('6011111111111117')).toBe(true);
    expect(isPaymentCard('9111111111111111')).toBe(false);
  });
});
