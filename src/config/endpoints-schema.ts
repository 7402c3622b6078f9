import { z } from 'zod';
import { endpointPathProblem } from '../core/endpoints.js';

/** An endpoint the upstream serves beyond the built-in catalogue (core/endpoint-catalogue.ts). */
export const extraEndpointSchema = z.strictObject({
  method: z.string().regex(/^[A-Za-z]{1,16}$/).transform((m) => m.toUpperCase()),
  /** Normalised path pattern: literal segments, {id} for any one segment, {model} for the segment naming the model. */
  path: z.string().superRefine((path, ctx) => {
    const problem = endpointPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  api: z.string().regex(/^[a-z0-9_.-]{1,32}$/).default('custom'),
  operation: z.string().regex(/^[a-z0-9_.-]{1,64}$/),
  /** Where the upstream takes the model from; null: the endpoint runs no model. */
  model: z.enum(['body', 'path', 'query', 'batch_requests', 'unknown']).nullable().default(null),
}).superRefine((e, ctx) => {
  if ((e.model === 'path') !== e.path.includes('{model}')) {
    ctx.addIssue({ code: 'custom', path: ['model'], message: 'model: path needs a {model} segment, and only it may have one' });
  }
});
