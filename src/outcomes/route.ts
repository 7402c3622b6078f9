import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { asTollgateError, TollgateError } from '../core/errors.js';
import { isObject } from '../core/is-object.js';
import { sendError } from '../server/body.js';
import { hookTokenMatches } from './hook-token.js';
import { outcomeFromStandardLoggingPayload, outcomeFromTollgateShape, type Outcome } from './outcome.js';
import type { OutcomeRecorder } from './recorder.js';

export const HOOK_TOKEN_HEADER = 'x-tollgate-hook-token';

export interface OutcomesRouteOptions {
  recorder: OutcomeRecorder;
  /** null: the endpoint is off (answers 503) until a hook token is configured. */
  hookToken: string | null;
  maxBodyBytes: number;
  maxBatchEntries: number;
}

/** Entries recorded between two yields to the event loop, so a batch never holds up decisions for long. */
const YIELD_EVERY = 32;

/**
 * POST /v1/outcomes, authenticated by the hook token. Accepts Tollgate's own shape (one object), a
 * StandardLoggingPayload (one object: the tollgate_litellm callback) or LiteLLM's generic webhook
 * payload (a JSON array of them).
 */
export function outcomesRouter(options: OutcomesRouteOptions): Router {
  const router = express.Router();
  router.post(
    '/v1/outcomes',
    (req, res, next) => {
      if (options.hookToken === null) return void sendError(res, new TollgateError('ERR_OUTCOMES_DISABLED', 'outcomes.hook_token is not configured'));
      if (!hookTokenMatches(req.get(HOOK_TOKEN_HEADER), options.hookToken)) {
        return void sendError(res, new TollgateError('ERR_UNAUTHENTICATED', `missing or wrong ${HOOK_TOKEN_HEADER}`));
      }
      next();
    },
    express.json({ limit: options.maxBodyBytes }),
    async (req, res) => {
      const body: unknown = req.body;
      if (Array.isArray(body)) {
        if (body.length > options.maxBatchEntries) {
          return void sendError(res, new TollgateError('ERR_REQUEST_TOO_LARGE', `a batch holds at most ${options.maxBatchEntries} entries (outcomes.max_batch_entries)`));
        }
        res.json(await recordBatch(options.recorder, body));
        return;
      }
      const outcome = isObject(body) ? outcomeFromTollgateShape(body) ?? outcomeFromStandardLoggingPayload(body) : null;
      if (!outcome) return void sendError(res, new TollgateError('ERR_REQUEST_MALFORMED', 'body must name a decision_id (Tollgate shape) or be a LiteLLM StandardLoggingPayload (one, or an array)'));
      res.json({ result: await options.recorder.record(outcome), decision_id: outcome.decisionId });
    },
  );
  router.use('/v1/outcomes', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendError(res, outcomesFailure(err));
  });
  return router;
}

/**
 * A webhook batch: entries that name no Tollgate decision (calls Tollgate did not authorize) are
 * ignored rather than failing the batch, so the sender does not retry it forever. Recording awaits
 * only resolved promises with in-process counters, which never lets the event loop run: the batch
 * yields every YIELD_EVERY entries so decisions waiting on the same process are served in between.
 */
async function recordBatch(recorder: OutcomeRecorder, items: unknown[]): Promise<Record<string, number>> {
  const counts = { recorded: 0, duplicate: 0, ignored: 0 };
  for (const [index, item] of items.entries()) {
    if (index > 0 && index % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    const outcome: Outcome | null = isObject(item) ? outcomeFromTollgateShape(item) ?? outcomeFromStandardLoggingPayload(item) : null;
    if (!outcome) counts.ignored++;
    else counts[await recorder.record(outcome)]++;
  }
  return counts;
}

/** express.json's own errors carry an HTTP status (413 too large, 4xx unparsable); anything else is the recorder's. */
function outcomesFailure(err: unknown): TollgateError {
  const status = (err as { status?: unknown }).status;
  if (typeof status !== 'number' || status >= 500) return asTollgateError(err);
  return new TollgateError(status === 413 ? 'ERR_REQUEST_TOO_LARGE' : 'ERR_REQUEST_MALFORMED', (err as Error).message);
}
