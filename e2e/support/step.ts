import { test } from "@playwright/test";

/**
 * Makes a page-object method one step of the HTML report and the trace, named for what the
 * person does ("sign in as …", "approve with an authenticator code"), with the method's locator
 * calls inside it. `title` is a string, or builds one from the method's arguments.
 *
 * Boxed (`box: true`): a failure inside is reported at the test's line that called the method,
 * not at a line of the page object. A TypeScript 5 standard decorator, the pattern Playwright's
 * docs show for page objects (https://playwright.dev/docs/api/class-test#test-step-2).
 */
export function step<Args extends unknown[] = unknown[]>(title: string | ((...args: Args) => string)) {
  // The title may read the method's leading arguments only, so it names what it needs.
  return function decorate<This, MethodArgs extends [...Args, ...unknown[]], Return>(method: (this: This, ...args: MethodArgs) => Promise<Return>) {
    return function stepped(this: This, ...args: MethodArgs): Promise<Return> {
      const name = typeof title === "string" ? title : title(...(args as unknown[] as Args));
      return test.step(name, () => method.apply(this, args), { box: true });
    };
  };
}
