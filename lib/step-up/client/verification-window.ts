/**
 * One identity-provider window at a time across the portal's tabs (client-only).
 *
 * MSAL allows one interaction per browser tab, and a person verifying in two windows at once
 * types one authenticator code where the other was meant (a code is accepted once). So a tab
 * opens the identity provider's window only while it holds the Web Lock `LOCK_NAME`
 * (https://developer.mozilla.org/docs/Web/API/Web_Locks_API); the browser releases it when the
 * verification ends, or when the tab that holds it closes or crashes, so no tab waits forever.
 *
 * The popup must open synchronously in the Verify click, before any lock could be awaited, so
 * the click decides on a flag this module keeps current: `isVerificationOpenElsewhere()`. It is
 * set when another tab announces a verification on the BroadcastChannel (or holds the lock when
 * this page loads), and cleared when the lock is free again, learned by queuing for it. Two tabs
 * that click in the same instant both see the flag clear; the one the lock refuses closes its
 * window at once (`holdVerificationWindow`'s `onRefused`) and waits like the others.
 *
 * Without Web Locks (an old browser, or a page not served over HTTPS) tabs are not coordinated
 * and each behaves as if it were alone.
 */

const LOCK_NAME = "woodgrove.step-up.window";
const CHANNEL_NAME = "woodgrove.step-up";
const OPENED = "opened";

let openElsewhere = false;
let holdingHere = false;
let waiting = false;
let started = false;
let channel: BroadcastChannel | null = null;
const listeners = new Set<() => void>();

function lockManager(): LockManager | null {
  return typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : null;
}

function setOpenElsewhere(value: boolean): void {
  if (openElsewhere === value) return;
  openElsewhere = value;
  for (const listener of listeners) listener();
}

/** Marks another tab's verification open until the lock is free (queued shared, released at once). */
function waitForOtherTab(): void {
  const locks = lockManager();
  if (!locks) return;
  setOpenElsewhere(true);
  if (waiting) return;
  waiting = true;
  locks
    .request(LOCK_NAME, { mode: "shared" }, () => undefined)
    .catch(() => undefined)
    .finally(() => {
      waiting = false;
      setOpenElsewhere(false);
    });
}

/** Listens for other tabs' verifications, and looks once for one already open. Idempotent. */
function start(): void {
  const locks = lockManager();
  if (started || !locks) return;
  started = true;
  if (typeof BroadcastChannel !== "undefined") {
    channel = new BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (event.data === OPENED) waitForOtherTab();
    };
  }
  locks.query().then(
    (snapshot) => {
      if (!holdingHere && snapshot.held?.some((lock) => lock.name === LOCK_NAME)) waitForOtherTab();
    },
    () => undefined,
  );
}

/**
 * For `useSyncExternalStore`: calls `listener` whenever `isVerificationOpenElsewhere()` changes.
 * The first subscriber starts listening to the other tabs.
 */
export function subscribeToOtherTabs(listener: () => void): () => void {
  start();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether another tab has the identity provider's window open now: read it synchronously in the click. */
export function isVerificationOpenElsewhere(): boolean {
  return openElsewhere;
}

/**
 * Claims the identity-provider window for this tab; call it in the Verify click, next to opening
 * the popup (it does not wait). Returns the release, to call once the popup's interaction has
 * ended (success or failure; calling it again does nothing). If another tab got there first,
 * `onRefused` runs: close the window just opened, and the dialog waits like any other tab's.
 */
export function holdVerificationWindow(onRefused: () => void): () => void {
  let release = () => {};
  const locks = lockManager();
  if (!locks) return release;
  start();
  let ended = false;
  const ends = new Promise<void>((resolve) => {
    release = () => {
      ended = true;
      resolve();
    };
  });
  holdingHere = true;
  locks
    .request(LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (!lock) {
        holdingHere = false;
        onRefused();
        waitForOtherTab();
        return;
      }
      if (!ended) channel?.postMessage(OPENED);
      await ends;
    })
    .catch(() => undefined)
    .finally(() => {
      holdingHere = false;
    });
  return release;
}
