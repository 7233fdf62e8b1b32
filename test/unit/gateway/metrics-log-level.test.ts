// The log level an operator asks for (--log-level, else ROOMKEY_LOG_LEVEL, else info) is the one
// used, a typo is refused with what to fix, and the logger's redaction drops secret-named fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedError } from '../../../core/errors.ts';
import { createLogger, logLevelFrom } from '../../../gateway/logger.ts';

test('the flag wins over the environment, which wins over the default', () => {
  assert.equal(logLevelFrom(undefined, {}), 'info');
  assert.equal(logLevelFrom(undefined, { ROOMKEY_LOG_LEVEL: 'DEBUG' }), 'debug');
  assert.equal(logLevelFrom('warn', { ROOMKEY_LOG_LEVEL: 'debug' }), 'warn');
});

test('an unknown level is refused, naming the valid ones', () => {
  assert.throws(
    () => logLevelFrom('verbose', {}),
    (error: unknown) => {
      assert.ok(error instanceof MalformedError);
      assert.match(error.message, /fatal, error, warn, info, debug, trace, silent/);
      return true;
    },
  );
});

test('lines are JSON at the chosen level, and secret-named fields are redacted', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
  logger.info('not shown at warn');
  logger.warn({ password: 'hunter2', request: { jwt: 'eyJ.secret', seed: 'SUAXYZ' } }, 'shown');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry['level'], 'warn');
  assert.equal(entry['msg'], 'shown');
  assert.equal(entry['service'], 'roomkey-gateway');
  assert.doesNotMatch(lines[0]!, /hunter2|eyJ\.secret|SUAXYZ/);
});
