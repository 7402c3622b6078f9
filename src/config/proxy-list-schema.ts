import { z } from 'zod';
import { parseProxyEntry } from '../common/trusted-proxies.js';

/** A list of proxy addresses or CIDRs; each entry is checked by the same parser that later uses it. */
export const proxyListSchema = z.array(z.string().min(1).superRefine((entry, ctx) => {
  try {
    parseProxyEntry(entry);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
})).default([]);
