// The approval window the background opens for "site X wants to use RoomKey", "site X wants room
// Y" and "site X wants to add bob to room Y": the question comes from the background by id
// (approve.html?id=…), never from the site. Each question says in plain words what the site will
// and will not be able to do, and what each answer does (allow, deny, block). The buttons stay off until the window has been in front for a moment
// (lib/focus-arm.ts), so a page cannot make it appear under a click or a key press already coming.
import { html, nothing, render, type TemplateResult } from 'lit';
import { armAfterFocus } from '../../lib/focus-arm.ts';
import type { ApprovalView, Decision, ManageAct } from '../../lib/messages.ts';
import { pageClient } from '../../lib/page-client.ts';

const { transport } = pageClient();
const root = document.querySelector<HTMLElement>('#app')!;
const id = new URLSearchParams(location.search).get('id') ?? '';

let question: ApprovalView | null = null;
let error = '';
let armed = false;
let answering = false;

const WAIT =
  'The buttons turn on a moment after this window is in front, so that a click meant for the page cannot answer.';

interface Wording {
  title: string;
  /** The question in one sentence (the first paragraph: tests and screen readers start there). */
  ask: TemplateResult;
  can: (string | TemplateResult)[];
  cannot: (string | TemplateResult)[];
  /** Labels of the allow and deny buttons. */
  allow: string;
  deny: string;
  /** What each answer does, in the order of the buttons (allow, deny, block). */
  means: [string, string, string];
}

const REVOKE = 'You can take it back any time under Sites in the RoomKey toolbar popup.';
const BLOCK =
  'The site gets nothing more from RoomKey, for any room, and asks you nothing more (until you remove it under Sites in the toolbar popup).';

function roomLabel(q: ApprovalView): TemplateResult {
  return html`<strong id="room">${q.roomName || `room ${(q.roomId ?? '').slice(0, 12)}…`}</strong>`;
}

function siteWording(site: TemplateResult): Wording {
  return {
    title: 'Let this site use RoomKey?',
    ask: html`${site} wants to use RoomKey.`,
    can: [
      'See whether you are signed in, and your username.',
      'Ask you, room by room, to show or read your rooms.',
      'Create new rooms. It can read and send in the rooms it creates.',
    ],
    cannot: [
      'Read any of your rooms without asking you first.',
      'Get your keys.',
      'Add or remove people in a room. It must ask you each time.',
    ],
    allow: 'Allow',
    deny: 'Deny',
    means: [
      `The site can do what is listed above, and nothing more. ${REVOKE}`,
      'The site gets nothing, and RoomKey remembers your answer: it will not ask again until you remove it under Sites in the toolbar popup.',
      BLOCK,
    ],
  };
}

function roomWording(q: ApprovalView, site: TemplateResult): Wording {
  if (q.access === 'sealed') {
    return {
      title: 'Let this site show a room?',
      ask: html`${site} wants to show ${roomLabel(q)} in a sealed frame. Only you see the messages, inside a
        RoomKey frame on its page.`,
      can: [
        'Show this room inside its page, in a frame that RoomKey draws.',
        'Know that the room exists (its id).',
      ],
      cannot: [
        'Read the messages, the room name, or who is in the room.',
        'Send messages. You type them in the frame yourself.',
        'Use RoomKey in any other way: this does not approve the site.',
      ],
      allow: 'Allow',
      deny: 'Deny',
      means: [
        `The frame shows this room; the site still sees none of it. ${REVOKE}`,
        'The frame stays empty for this room; RoomKey remembers your answer. Other rooms are not affected.',
        BLOCK,
      ],
    };
  }
  return {
    title: 'Let this site read a room?',
    ask: html`${site} wants to read and send messages in ${roomLabel(q)}. The site will see the messages.`,
    can: [
      'Read every message in this room that you can read, including earlier ones.',
      'Send messages in this room as you.',
      'See the room name and who is in the room.',
    ],
    cannot: ['Read your other rooms.', 'Add or remove people in this room. It must ask you each time.'],
    allow: 'Allow',
    deny: 'Deny',
    means: [
      `The site reads and sends in this room as listed above. ${REVOKE}`,
      'The site gets nothing of this room; RoomKey remembers your answer. Its other rooms are not affected.',
      BLOCK,
    ],
  };
}

function actWording(q: ApprovalView, act: ManageAct, site: TemplateResult): Wording {
  const room = roomLabel(q);
  const asker = q.frame === 'sealed' ? html`The RoomKey frame on ${site}` : html`${site}`;
  if (act.kind === 'invite') {
    const who = html`<strong id="member">${act.username}</strong>`;
    return {
      title: 'Add someone to a room?',
      ask: html`${asker} wants to add ${who} to ${room}.`,
      can: [
        html`${act.username} will read new messages in this room${
          act.shareHistory ? ', and every earlier message you can read' : ', but not earlier ones'
        }, and send messages there.`,
        html`${act.username} stays a member until someone removes them, even if you later revoke this site.`,
      ],
      cannot: [],
      allow: `Add ${act.username}`,
      deny: 'Do not add',
      means: [
        `${act.username} is added now. This answer is for this one change only.`,
        'Nothing changes. The site may ask again.',
        `Nothing changes, and: ${BLOCK}`,
      ],
    };
  }
  const who = html`<strong id="member">${act.username ?? 'a member'}</strong>`;
  return {
    title: 'Remove someone from a room?',
    ask: html`${asker} wants to remove ${who} from ${room}.`,
    can: [
      html`${act.username ?? 'They'} will no longer receive new messages in this room.`,
      'Messages they already have stay with them.',
    ],
    cannot: [],
    allow: 'Remove',
    deny: 'Do not remove',
    means: [
      `${act.username ?? 'They'} are removed now. This answer is for this one change only.`,
      'Nothing changes. The site may ask again.',
      `Nothing changes, and: ${BLOCK}`,
    ],
  };
}

function wordingOf(q: ApprovalView): Wording {
  const site = html`<span class="origin" id="origin">${q.origin}</span>`;
  if (q.act) return actWording(q, q.act, site);
  return q.roomId === null ? siteWording(site) : roomWording(q, site);
}

function list(title: string, items: (string | TemplateResult)[], kind: 'can' | 'cannot') {
  if (items.length === 0) return nothing;
  return html`<h2 id="h-${kind}">${title}</h2>
    <ul class=${kind} aria-labelledby="h-${kind}">
      ${items.map((item) => html`<li>${item}</li>`)}
    </ul>`;
}

function questionView(q: ApprovalView): TemplateResult {
  const w = wordingOf(q);
  const act = q.act !== undefined;
  const off = !armed || answering;
  return html`<h1 id="title" tabindex="-1">${w.title}</h1>
    <p id="question">${w.ask}</p>
    ${list(act ? 'If you allow it' : 'The site will be able to', w.can, 'can')}
    ${list('The site will not be able to', w.cannot, 'cannot')}
    ${
      act && q.frame === 'sealed'
        ? html`<p class="warn">If you did not just ask for this yourself, do not allow it: the page around the
            frame may have tricked a click.</p>`
        : nothing
    }
    <div class="buttons" role="group" aria-labelledby="question">
      <button id="allow" class="primary" aria-describedby="means-allow" ?disabled=${off} @click=${() => answer('allow')}>
        ${w.allow}
      </button>
      <button id="deny" aria-describedby="means-deny" ?disabled=${off} @click=${() => answer('deny')}>${w.deny}</button>
      <button id="block" class="danger" aria-describedby="means-block" ?disabled=${off} @click=${() => answer('block')}>
        Block this site
      </button>
    </div>
    <h2 id="h-means">What each answer does</h2>
    <dl class="means">
      <dt>${w.allow}</dt>
      <dd id="means-allow">${w.means[0]}</dd>
      <dt>${w.deny}</dt>
      <dd id="means-deny">${w.means[1]}</dd>
      <dt>Block this site</dt>
      <dd id="means-block">${w.means[2]}</dd>
    </dl>
    <p class="muted" role="status" id="wait">${armed ? '' : WAIT}</p>
    <p class="muted">Closing this window answers nothing: the site is told you did not decide, and may ask again.</p>`;
}

async function answer(decision: Decision): Promise<void> {
  // The buttons are disabled until armed; this also covers a click already queued meanwhile.
  if (!armed || answering) return;
  answering = true;
  draw();
  try {
    await transport.admin('answerApproval', { id, decision });
    window.close();
  } catch (e) {
    answering = false;
    error = e instanceof Error ? e.message : String(e);
    question = null;
    draw();
  }
}

function draw(): void {
  render(
    html`<header class="brand"><span class="logo" aria-hidden="true">🔑</span> RoomKey asks you</header>
    ${
      question
        ? questionView(question)
        : html`<h1>RoomKey</h1>
          <p class="muted">${error ? nothing : 'This question is no longer waiting.'}</p>`
    }
    ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}`,
    root,
  );
}

transport.admin('approval', { id }).then(
  (q) => {
    question = q;
    draw();
    // Focus starts on the title, never on a button: an Enter already on its way does nothing.
    root.querySelector<HTMLElement>('#title')?.focus();
    armAfterFocus(window, (now) => {
      armed = now;
      draw();
    });
  },
  (e: unknown) => {
    error = e instanceof Error ? e.message : String(e);
    draw();
  },
);
