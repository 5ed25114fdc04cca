import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False in the server's HTML and during hydration, true once React runs the page in the
 * browser. Controls whose click only does something through React (a step-up action, a form
 * handled in `onSubmit`) stay disabled until then: a click in the moment between the HTML
 * arriving and hydration would otherwise be lost silently, or, for a form, submitted natively
 * to the page's URL. Playwright waits for them to be enabled, so tests need no hydration wait.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
