// A deleted text does not linger (issue 17 §7/§10): once its author's delete applies, the text is
// gone from every short-lived cache that held it — core/client's recent messages (notification
// previews) and own sends waiting for a verdict (never sent again), the extension's kept messages
// (for returning tabs) and its OS notification, and a service worker's notification showing it.
// A delete by anyone else takes nothing away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentMessages } from '../../../core/client/recent-messages.ts';
import { OwnSends } from '../../../core/client/resend.ts';
import type { ReceivedMessage, StoredMessage } from '../../../core/client/types.ts';
import { KeptMessages } from '../../../extension/lib/kept-messages.ts';
import { notificationId } from '../../../extension/lib/notification-router.ts';
import { ShownNotifications } from '../../../extension/lib/notifications-read.ts';
import { closeDeleted, handlePush, type NotifyingRegistration } from '../../../sw/push.ts';
import { sentinelBytes } from '../../../sw/sentinel.ts';
import { deletesIn } from '../../../sw/wake.ts';

const ROOM = 'a'.repeat(32);
const POST = '1'.repeat(32);
const EDIT = '2'.repeat(32);
const DELETE = '3'.repeat(32);
const SECRET = 'the secret that was deleted';

let seq = 0;
function message(
  messageId: string,
  senderUserId: string,
  fields: Partial<ReceivedMessage> = {},
): ReceivedMessage {
  return {
    status: 'received',
    own: false,
    roomId: ROOM,
    messageId,
    senderUserId,
    senderUsername: senderUserId,
    sentAtMs: 1,
    storedAtMs: 1,
    seq: ++seq,
    epoch: 0,
    text: SECRET,
    ...fields,
  } as ReceivedMessage;
}
const post = () => message(POST, 'bob');
const edit = () => message(EDIT, 'bob', { action: 'edit', target: POST, text: `${SECRET}, edited` });
const del = (by = 'bob') => message(DELETE, by, { action: 'delete', target: POST, text: '' });
const holds = (values: unknown) => JSON.stringify(values).includes('secret');

describe('a deleted text does not linger', () => {
  it("recent messages forget the message and its edits at its author's delete", async () => {
    const recent = new RecentMessages();
    recent.remember(post());
    recent.remember(edit());
    recent.remember(del('eve'));
    assert.equal((await recent.get(POST, 0))?.text, SECRET, "someone else's delete takes nothing");
    recent.remember(del());
    assert.equal(await recent.get(POST, 0), undefined);
    assert.equal(await recent.get(EDIT, 0), undefined);
    recent.remember(post()); // a copy arriving after the delete
    assert.equal((await recent.get(POST, 0))?.text, '', 'kept without its text');
  });

  it('own sends waiting for a verdict are never sent again once deleted', () => {
    const own = new OwnSends();
    own.sent({ messageId: POST, text: SECRET, epoch: 0, seq: 1, sentAtMs: 1 });
    own.sent({ messageId: EDIT, text: SECRET, epoch: 0, seq: 2, sentAtMs: 1 });
    own.echoed(1, 10, 0);
    own.echoed(2, 10, 0);
    own.forget(new Set([POST, EDIT]));
    assert.equal(own.size, 0);
    const refusedAll = { epoch: 1, refusedByPosition: () => true };
    assert.deepEqual(own.judge(refusedAll), [], 'nothing to send again');
  });

  it("the extension's kept messages keep the message without text and drop its edits", () => {
    const kept = new KeptMessages();
    kept.keep(post(), ['tab1']);
    kept.keep(edit(), ['tab1']);
    kept.keep(del('eve'), ['tab1']);
    assert.ok(holds(kept.missedBy('tab2', () => true)), "someone else's delete takes nothing");
    const after = new KeptMessages();
    after.keep(post(), ['tab1']);
    after.keep(edit(), ['tab1']);
    after.keep(del(), ['tab1']);
    const missed: StoredMessage[] = after.missedBy('tab2', () => true);
    assert.deepEqual(
      missed.map((m) => m.messageId),
      [POST, DELETE],
      'the post (shown as deleted by the tab) and the delete',
    );
    assert.ok(!holds(missed), 'no text left');
  });

  it("the extension's OS notification of the message closes at its author's delete only", () => {
    const shown = new ShownNotifications();
    shown.seen(post());
    shown.shown(notificationId(ROOM, POST));
    assert.equal(shown.deleted(ROOM, POST, 'eve'), undefined);
    assert.equal(shown.deleted(ROOM, POST, 'bob'), notificationId(ROOM, POST));
    assert.equal(shown.deleted(ROOM, POST, 'bob'), undefined, 'once');
  });

  it("a service worker's notification showing the message closes at its author's delete", async () => {
    const tray: { data: unknown; closed: boolean; close(): void }[] = [];
    const registration: NotifyingRegistration = {
      scope: 'http://127.0.0.1:8080/',
      async showNotification(_title, options) {
        const entry = {
          data: options.data,
          closed: false,
          close() {
            entry.closed = true;
          },
        };
        tray.push(entry);
      },
      async getNotifications() {
        return tray.filter((n) => !n.closed);
      },
    };
    const notification = {
      roomId: ROOM,
      title: 'Room',
      body: `bob: ${SECRET}`,
      tag: `room-${ROOM}`,
      seq: 1,
      messageId: POST,
      senderUserId: 'bob',
    };
    await handlePush(sentinelBytes('wake'), registration, {
      wake: async () => ({ notifications: [notification], read: new Map() }),
    });
    assert.equal(await closeDeleted(registration, deletesIn([del('eve')])), 0, 'not by eve');
    assert.deepEqual(deletesIn([post(), del()]), [{ roomId: ROOM, messageId: POST, author: 'bob' }]);
    await handlePush(sentinelBytes('wake'), registration, {
      wake: async () => ({ notifications: [], read: new Map(), deleted: deletesIn([del()]) }),
    });
    assert.equal((await registration.getNotifications()).length, 0, 'closed by the next wake');
  });
});
