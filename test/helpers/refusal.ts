// Bad-input suites: send raw bytes to a gateway subject and get back the typed error it answered.
import assert from 'node:assert/strict';
import type { NatsConnection } from '@nats-io/nats-core';
import { RoomKeyError } from '../../core/errors.ts';
import { gatewayRequest } from '../../core/transport/request.ts';

/** Sends raw bytes; returns the typed error the reply carries (opening it with `replyKey`). */
export async function refusal(
  nc: NatsConnection,
  subject: string,
  body: Uint8Array,
  replyKey?: Uint8Array,
): Promise<RoomKeyError> {
  try {
    await gatewayRequest(nc, subject, body, { replyKey, timeoutMs: 3000 });
  } catch (error) {
    assert.ok(
      error instanceof RoomKeyError,
      `typed error, got ${(error as Error).name}: ${(error as Error).message}`,
    );
    assert.notEqual(error.code, 'unavailable', `the gateway answered (${error.message})`);
    return error;
  }
  assert.fail(`${subject} accepted bad input`);
}
