/**
 * Questions waiting for the user: "site X wants to use RoomKey", "site X wants room Y", or "site
 * X wants to add bob to room Y". Each opens the extension's approval window (approve.html?id=…);
 * the user's answer, a closed window or a timeout settles every request waiting on that question.
 * One question per site at a time, so a site cannot flood the screen; requests for the same
 * room question share one window, while each membership change is a question of its own. Asking
 * again what is already on screen brings its window forward (a page's "show the RoomKey window"
 * sends its `connect` again: it shares the one answer and grants nothing).
 * @example const outcome = await prompts.ask(question, { stillNeeded: () => undecided(), apply: remember });
 */
import type { RoomAccess } from '../../core/bridge/index.ts';
import type { ApprovalView, Decision, ManageAct } from './messages.ts';

/** What the user is asked. `roomId: null` asks for the site alone; `act` asks to confirm one change. */
export interface ApprovalQuestion {
  origin: string;
  roomId: string | null;
  access: RoomAccess | null;
  roomName: string | null;
  act?: ManageAct;
  frame?: 'page' | 'sealed';
}

/** The user closed the window or did not answer in time: nothing is remembered. */
export type Outcome = Decision | 'dismiss';

/** How questions reach the user; the background opens a popup window, tests may answer directly. */
export interface PromptWindow {
  /** Shows the question `id`; resolves with a handle to close it, if any. */
  open(id: string): Promise<number | undefined>;
  close(handle: number): Promise<void>;
  /** Brings the window with this handle to the front (optional: tests may have none). */
  focus?(handle: number): Promise<void>;
}

interface Pending {
  view: ApprovalView;
  key: string;
  handle: number | undefined;
  settle: (outcome: Outcome) => void;
  /** Settles once the answer has been applied (remembered). */
  applied: Promise<Outcome>;
  timer: ReturnType<typeof setTimeout>;
}

// An act's answer allows that one request only, so no two requests ever share it.
const keyOf = (q: ApprovalQuestion): string =>
  q.act ? `act:${crypto.randomUUID()}` : `${q.origin}\n${q.roomId ?? ''}\n${q.access ?? ''}`;

/**
 * The pending questions of this background instance (a restarted background starts with none:
 * requests that were waiting failed with the restart, and the page asks again).
 * @example prompts.answer(id, 'allow');
 */
export class ApprovalPrompts {
  readonly #window: PromptWindow;
  readonly #timeoutMs: number;
  readonly #byId = new Map<string, Pending>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #onChange: () => void = () => undefined;

  constructor(window: PromptWindow, options: { timeoutMs?: number } = {}) {
    this.#window = window;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** Called whenever the number of pending questions changes (badge). */
  set onChange(listener: () => void) {
    this.#onChange = listener;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The sites with a question waiting, each once (the popup counts and names them). */
  origins(): string[] {
    return [...new Set([...this.#byId.values()].map((p) => p.view.origin))];
  }

  /** Brings every waiting question's window forward; false when none waits. */
  focusAll(): boolean {
    for (const pending of this.#byId.values()) {
      if (pending.handle !== undefined) this.#window.focus?.(pending.handle).catch(() => undefined);
    }
    return this.#byId.size > 0;
  }

  /**
   * Asks the user, after any earlier question of the same site, and runs `apply` with the answer
   * before the site's next question may open (so that one sees the answer: a blocked site asks
   * nothing more). `stillNeeded` is checked when it is this question's turn; if an earlier answer
   * settled it, the result is 'skip' and the caller looks at the approvals again. Requests for a
   * question already on screen share its answer.
   */
  async ask(
    question: ApprovalQuestion,
    hooks: { stillNeeded: () => boolean; apply: (outcome: Outcome) => Promise<void> },
  ): Promise<Outcome | 'skip'> {
    const key = keyOf(question);
    for (const pending of this.#byId.values()) {
      if (pending.key !== key) continue;
      if (pending.handle !== undefined) this.#window.focus?.(pending.handle).catch(() => undefined);
      return pending.applied;
    }
    const previous = this.#queues.get(question.origin) ?? Promise.resolve();
    const mine = previous.then(async () => {
      if (!hooks.stillNeeded()) return 'skip' as const;
      return this.#open(question, key, hooks.apply);
    });
    const tail = mine.catch(() => undefined);
    this.#queues.set(question.origin, tail);
    void tail.then(() => {
      if (this.#queues.get(question.origin) === tail) this.#queues.delete(question.origin);
    });
    return mine;
  }

  /** The question behind `id`, for the approval window. */
  view(id: string): ApprovalView | null {
    const pending = this.#byId.get(id);
    return pending ? { ...pending.view } : null;
  }

  /** Settles question `id`; false when there is no such question (answered, expired, or before a restart). */
  answer(id: string, outcome: Outcome): boolean {
    const pending = this.#byId.get(id);
    if (!pending) return false;
    pending.settle(outcome);
    return true;
  }

  /** The window with this handle was closed: its question is dismissed. */
  windowClosed(handle: number): void {
    for (const [id, pending] of this.#byId) if (pending.handle === handle) this.answer(id, 'dismiss');
  }

  async #open(
    question: ApprovalQuestion,
    key: string,
    apply: (outcome: Outcome) => Promise<void>,
  ): Promise<Outcome> {
    const id = crypto.randomUUID().replaceAll('-', '');
    let settle!: (outcome: Outcome) => void;
    const answered = new Promise<Outcome>((resolve) => {
      settle = resolve;
    });
    const applied = answered.then(async (outcome) => {
      await apply(outcome);
      return outcome;
    });
    const pending: Pending = {
      view: { id, ...question },
      key,
      handle: undefined,
      settle: () => undefined,
      applied,
      timer: setTimeout(() => pending.settle('dismiss'), this.#timeoutMs),
    };
    pending.settle = (outcome) => {
      if (!this.#byId.delete(id)) return;
      clearTimeout(pending.timer);
      this.#onChange();
      settle(outcome);
      if (pending.handle !== undefined) this.#window.close(pending.handle).catch(() => undefined);
    };
    this.#byId.set(id, pending);
    this.#onChange();
    try {
      pending.handle = await this.#window.open(id);
      // Answered while the window was opening: close it now.
      if (!this.#byId.has(id) && pending.handle !== undefined) {
        await this.#window.close(pending.handle).catch(() => undefined);
      }
    } catch {
      pending.settle('dismiss');
    }
    return applied;
  }
}
