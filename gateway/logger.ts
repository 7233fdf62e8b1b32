/**
 * The gateway's structured logs: one JSON object per line (pino), a level chosen by
 * `--log-level` or ROOMKEY_LOG_LEVEL. Log lines name endpoints, counts, statuses and server-side
 * causes, never a username, password, message text, room id or request payload: the log is read by
 * operators and shipped to other systems, so it must hold nothing a user would not show them.
 * @example const logger = createLogger({ level: logLevelFrom(flag, process.env) }); logger.info('up');
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import { MalformedError } from '../core/errors.ts';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/**
 * The level from the flag, else ROOMKEY_LOG_LEVEL, else info; an unknown name is refused so that a
 * typo does not silently hide the logs an operator asked for.
 * @example logLevelFrom(undefined, { ROOMKEY_LOG_LEVEL: 'debug' }) // 'debug'
 */
export function logLevelFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = (flag ?? env['ROOMKEY_LOG_LEVEL'] ?? DEFAULT_LOG_LEVEL).trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new MalformedError(
    `log level "${value}" is not one of ${LOG_LEVELS.join(', ')}: fix --log-level or ROOMKEY_LOG_LEVEL`,
  );
}

/**
 * A JSON logger for the gateway; `destination` defaults to stdout (`fd: 2`: stderr; tests pass a stream to read it).
 * @example const logger = createLogger({ level: 'debug' });
 */
export function createLogger(
  options: { level?: LogLevel; destination?: DestinationStream; fd?: 1 | 2 } = {},
): Logger {
  return pino(
    {
      level: options.level ?? DEFAULT_LOG_LEVEL,
      base: { service: 'roomkey-gateway', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Defence in depth: fields that would carry secrets are never written, whoever adds them.
      redact: {
        paths: ['password', '*.password', 'secret', '*.secret', 'seed', '*.seed', 'jwt', '*.jwt', 'creds'],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ dest: options.fd ?? 1, sync: true }),
  );
}

/**
 * Adapts a logger to the `(line) => void` the gateway's parts take: their lines report trouble
 * (a failed subscription, a retry, a refused push), so they go out as warnings unless told.
 * @example startGateway({ ..., log: lineLog(logger.child({ component: 'gateway' })) });
 */
export function lineLog(logger: Logger, level: Exclude<LogLevel, 'silent'> = 'warn'): (line: string) => void {
  return (line) => logger[level](line);
}
