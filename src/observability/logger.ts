import { createLogger, transports, type Logger } from 'winston';
import { batchedAuditLogger } from './audit-log.js';
import { AuditTrail } from './audit-trail.js';
import { jsonLineFormat } from './json-line.js';
import type { Metrics } from './metrics.js';

export interface Loggers {
  /** Operational messages, filtered by the configured level. */
  app: Logger;
  /** Decision and outcome records: always written, whatever the level. */
  audit: Logger;
  /** The audit logger's destinations and their health. */
  trail: AuditTrail;
  /** Flushes both loggers (on shutdown). */
  close(): Promise<void>;
}

export interface LoggerOptions {
  level: string;
  auditFile: string | null;
  /** Where stdout lines go; tests pass a stream to read them. */
  stream?: NodeJS.WritableStream;
  /** Bytes an audit destination may have waiting before records are dropped. */
  auditBufferBytes?: number;
  auditFailClosed?: boolean;
  metrics?: Metrics;
}

const DEFAULT_AUDIT_BUFFER_BYTES = 4 * 1024 * 1024;

export function createLoggers(options: LoggerOptions): Loggers {
  const out = () => (options.stream ? new transports.Stream({ stream: options.stream }) : new transports.Console());
  const jsonLine = jsonLineFormat();
  const app = createLogger({ level: options.level, format: jsonLine, transports: [out()] });
  const trail = new AuditTrail({
    stream: options.stream ?? process.stdout,
    file: options.auditFile,
    maxBufferBytes: options.auditBufferBytes ?? DEFAULT_AUDIT_BUFFER_BYTES,
    failClosed: options.auditFailClosed ?? false,
    metrics: options.metrics,
  });
  trail.log = app;
  const { audit, close: closeAudit } = batchedAuditLogger(trail);
  return { app, audit, trail, close: () => Promise.all([finish(app), closeAudit()]).then(() => undefined) };
}

function finish(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
  });
}
