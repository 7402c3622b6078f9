import { setPath, type EnvReader } from '../config/raw-config.js';

/** Shared with the LiteLLM hook, which sends it; the server's outcomes.hook_token. */
const HOOK_TOKEN = 'TOLLGATE_HOOK_TOKEN';
/** The hook's own settings (integrations/litellm), often in an environment shared with the server. */
const HOOK_ONLY = ['TOLLGATE_URL', 'TOLLGATE_FAIL_OPEN', 'TOLLGATE_TIMEOUT_MS'] as const;

export const hookEnv: EnvReader = {
  names: [HOOK_TOKEN, ...HOOK_ONLY],
  apply(raw, env) {
    // A secret is taken verbatim: YAML parsing could turn it into a number.
    if (env[HOOK_TOKEN]) setPath(raw, ['outcomes', 'hook_token'], env[HOOK_TOKEN]);
  },
};
