/**
 * Every authenticator `identity.order` may name, in their default order. The config enum and the
 * builders in identity.ts are typed from this list, so a name without a builder does not compile.
 */
export const AUTHENTICATOR_NAMES = ['api_key', 'jwt', 'mtls'] as const;

export type AuthenticatorName = (typeof AUTHENTICATOR_NAMES)[number];
