/**
 * The hooks the gateway's parts call to feed metrics and the debug request log: one place, so the
 * parts stay free of prom-client and pino. Every hook takes counts, fixed names and statuses only;
 * nothing here can carry a user, a room or a payload into a metric or a log line.
 * @example const hooks = instrument(metrics, logger); serve(nc, endpoints, { ..., observe: hooks });
 */
import type { Logger } from './logger.ts';
import { endpointLabel, type GatewayMetrics, outcomeLabel, type RequestObserver } from './metrics.ts';
import type { PushOutcome } from './web-push-sender.ts';

export interface GatewayHooks extends RequestObserver {
  jwtIssued(): void;
  routed(app: number, push: number): void;
  pushed(outcome: PushOutcome): PushOutcome;
}

/**
 * Hooks over optional metrics and an optional logger (requests at debug level).
 * @example const hooks = instrument(new GatewayMetrics(), createLogger({ level: 'debug' }));
 */
export function instrument(metrics: GatewayMetrics | undefined, logger: Logger | undefined): GatewayHooks {
  const requests = logger?.child({ component: 'requests' });
  return {
    request(endpoint, outcome, seconds) {
      metrics?.request(endpoint, outcome, seconds);
      if (requests?.isLevelEnabled('debug')) {
        requests.debug(
          {
            endpoint: endpointLabel(endpoint),
            outcome: outcomeLabel(outcome),
            ms: Math.round(seconds * 1000),
          },
          'request answered',
        );
      }
    },
    jwtIssued: () => metrics?.jwtIssued(),
    routed: (app, push) => metrics?.routed(app, push),
    pushed(outcome) {
      metrics?.pushResult(outcome.status);
      return outcome;
    },
  };
}
