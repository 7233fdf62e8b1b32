// The bridge's sendEvent through the extension's hub: a page may send a reply, edit, delete or
// reaction in a room approved for it (the access that sends a message), and in no other room; the
// background's session gets exactly the event the page asked for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SentMessage } from '../../../core/client/types.ts';
import { OTHER, SITE } from './fakes.ts';
import { assertNotApproved, resultOf, startHub } from './hub-harness.ts';

describe('sendEvent through the hub', () => {
  it('goes through in an approved room, with the event as asked; another site gets NotApproved', async () => {
    const h = await startHub();
    const page = h.site(SITE, 1);
    const connecting = page.call('connect');
    await h.answerNext('allow');
    resultOf(await connecting);
    const { roomId } = resultOf<{ roomId: string }>(await page.call('createRoom', { name: 'Team' }));
    const post = resultOf<SentMessage>(await page.call('send', { roomId, text: 'hello' }));

    const reacted = resultOf<SentMessage>(
      await page.call('sendEvent', {
        roomId,
        event: { action: 'react', target: post.messageId, reaction: '👍' },
      }),
    );
    assert.equal(reacted.action, 'react');
    assert.equal(reacted.target, post.messageId);
    assert.equal(reacted.reaction, '👍');
    const reply = resultOf<SentMessage>(
      await page.call('sendEvent', {
        roomId,
        event: { action: 'reply', replyTo: post.messageId, text: 'yes' },
      }),
    );
    assert.equal(reply.replyTo, post.messageId);

    const other = h.site(OTHER, 2);
    const otherConnect = other.call('connect');
    await h.answerNext('allow');
    resultOf(await otherConnect);
    const refused = other.call('sendEvent', { roomId, event: { action: 'delete', target: post.messageId } });
    await h.answerNext('deny');
    assertNotApproved(await refused, 'another site asked for a room it was not given');
  });
});
