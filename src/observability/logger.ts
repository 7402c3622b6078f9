import { createLogger, transports, type Logger } from 'winston';
import { jsonLineFormat } from './json-line.js';

export interface Loggers {
  /** Operational messages, filtered by the configured level. */
  app: Logger;
  /** Decision and outcome records: always written, whatever the level. */
  audit: Logger;
  /** Flushes both loggers (on shutdown). */
  close(): Promise<void>;
}

export interface LoggerOptions {
  level: string;
  auditFile: string | null;
  /** Where stdout lines go; tests pass a stream to read them. */
  stream?: NodeJS.WritableStream;
}

export function createLoggers(options: LoggerOptions): Loggers {
  const out = () => (options.stream ? new transports.Stream({ stream: options.stream }) : new transports.Console());
  const jsonLine = jsonLineFormat();
  const app = createLogger({ level: options.level, format: jsonLine, transports: [out()] });
  const auditTransports = [out()];
  if (options.auditFile) auditTransports.push(new transports.File({ filename: options.auditFile }));
  const audit = createLogger({ level: 'info', format: jsonLine, transports: auditTransports });
  return { app, audit, close: () => Promise.all([finish(app), finish(audit)]).then(() => undefined) };
}

function finish(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
  });
}
