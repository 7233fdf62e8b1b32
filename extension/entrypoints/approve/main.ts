// The approval window the background opens for "site X wants to use RoomKey" / "site X wants
// room Y": the question comes from the background by id (approve.html?id=…), never from the site.
import { html, nothing, render } from 'lit';
import type { ApprovalView, Decision } from '../../lib/messages.ts';
import { pageClient } from '../../lib/page-client.ts';

const { transport } = pageClient();
const root = document.querySelector<HTMLElement>('#app')!;
const id = new URLSearchParams(location.search).get('id') ?? '';

function describe(q: ApprovalView) {
  const site = html`<span class="origin" id="origin">${q.origin}</span>`;
  if (q.roomId === null) {
    return html`<p>${site} wants to use RoomKey: see whether you are signed in, sign in, and create rooms.</p>`;
  }
  const room = html`<strong id="room">${q.roomName || `room ${q.roomId.slice(0, 12)}…`}</strong>`;
  return q.access === 'sealed'
    ? html`<p>${site} wants to show ${room} in a sealed frame. The site cannot read the messages.</p>`
    : html`<p>${site} wants to read and send messages in ${room}. The site will see the messages.</p>`;
}

async function answer(decision: Decision): Promise<void> {
  try {
    await transport.admin('answerApproval', { id, decision });
    window.close();
  } catch (error) {
    show(null, error instanceof Error ? error.message : String(error));
  }
}

function show(question: ApprovalView | null, error = ''): void {
  render(
    html`<h1>RoomKey</h1>
      ${
        question
          ? html`${describe(question)}
            <div class="buttons">
              <button id="allow" @click=${() => answer('allow')}>Allow</button>
              <button id="deny" @click=${() => answer('deny')}>Deny</button>
              <button id="block" @click=${() => answer('block')}>Block this site</button>
            </div>
            <p class="muted">You can revoke this later in the RoomKey toolbar popup.</p>`
          : html`<p class="muted">${error ? nothing : 'This question is no longer waiting.'}</p>`
      }
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}`,
    root,
  );
}

transport.admin('approval', { id }).then(
  (question) => show(question),
  (error: unknown) => show(null, error instanceof Error ? error.message : String(error)),
);
