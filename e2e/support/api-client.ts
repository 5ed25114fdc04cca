import { expect, type APIRequestContext, type APIResponse, type Page } from "@playwright/test";
import { parseClaimsChallenges, type ClaimsChallenge } from "../../lib/step-up/protocol";
import { AuthorizationRequest } from "./authorize";
import type { EmulatorControl, EmulatorUser } from "./emulator-control";
import type { E2eSettings } from "./settings";
import type { IdentityProviderPage } from "../pages/identity-provider.page";

/**
 * A programmatic client of the portal's JSON API (`/api/v1`), and how it gets its tokens.
 *
 * A client cannot pass a second factor by itself, so its tokens come from the real protocol with
 * a person at the identity provider's pages: `acquireApiToken` opens /authorize for the portal's
 * SPA client in the test's browser page (PKCE, redirect to the portal's redirect bridge, the
 * challenge's claims when there is one), completes whatever pages the identity provider shows
 * (username and password, an authenticator code, or nothing when its SSO session suffices), and
 * redeems the code cross-origin (`Origin` set) as a SPA does. The API calls themselves go
 * through Playwright's `request`, with no cookies: exactly what a client sends.
 */

/** An API answer: status, headers, parsed JSON. */
export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** The API's error shape (lib/api/responses.ts). */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    correlationId: string;
    reason?: string;
    claims?: string;
    pendingOperation?: { id: string; payload: Record<string, string>; expiresAt: string; approvableInMs?: number };
  };
}

/** Calls the JSON API with a Bearer token (or none), never with the browser's cookies. */
export class ApiClient {
  constructor(private readonly request: APIRequestContext) {}

  async get<T>(path: string, token?: string): Promise<ApiAnswer<T>> {
    return answer<T>(await this.request.get(path, { headers: token ? { authorization: `Bearer ${token}` } : {} }));
  }

  async post<T>(path: string, body: unknown, options: { token?: string; idempotencyKey?: string } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    return answer<T>(await this.request.post(path, { headers, data: JSON.stringify(body) }));
  }

  /**
   * Waits as long as a transaction-bound challenge says (`pendingOperation.approvableInMs`, at
   * most a second) before the client asks for the token that approves it: a token minted in the
   * approval's own second is refused. A person reading the approval takes longer; a client whose
   * identity provider answers at once must honour it, as it would a Retry-After.
   */
  async untilApprovable(challenge: ApiErrorBody): Promise<void> {
    const waitMs = challenge.error.pendingOperation?.approvableInMs ?? 0;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

async function answer<T>(response: APIResponse): Promise<ApiAnswer<T>> {
  return { status: response.status(), headers: response.headers(), body: (await response.json()) as T };
}

/** The decoded claims request of a 401's `WWW-Authenticate: Bearer … error="insufficient_claims"` (exactly one expected). */
export function claimsOfChallenge(headers: Record<string, string>): ClaimsChallenge {
  const challenges = parseClaimsChallenges(headers["www-authenticate"] ?? "");
  expect(challenges, `a claims challenge in ${headers["www-authenticate"]}`).toHaveLength(1);
  return challenges[0]!;
}

/**
 * An access token for the portal's API scope for `user`, acquired in `page` as described above.
 * `claims`: the claims request to send (e.g. `claimsOfChallenge(...).claims`), verbatim.
 */
export async function acquireApiToken(
  page: Page,
  deps: { settings: E2eSettings; control: EmulatorControl; identityProvider: IdentityProviderPage },
  user: EmulatorUser,
  options: { claims?: string } = {},
): Promise<string> {
  const authorization = new AuthorizationRequest(deps.settings, options.claims ? { claims: options.claims } : {});
  await authorization.open(page);

  const username = page.getByLabel("Email or username");
  const password = page.getByLabel("Password");
  const code = deps.identityProvider.codeField();
  const methodChoice = page.getByRole("heading", { name: "Verify your identity" });
  // Each page is completed once and must then go away, so a page that stays (a refused password
  // or code) fails here with its name instead of being filled again.
  for (let pages = 0; pages < 4 && !authorization.answered; pages += 1) {
    await expect
      .poll(async () => authorization.answered || (await username.or(password).or(code).or(methodChoice).count()) > 0, {
        message: "neither an identity provider page nor the redirect back to the portal",
      })
      .toBe(true);
    if (authorization.answered) break;
    if (await username.isVisible()) {
      await deps.identityProvider.signIn(user);
      await expect(password).toBeHidden();
    } else if (await password.isVisible()) {
      await deps.identityProvider.retryPassword(user.password);
      await expect(password).toBeHidden();
    } else {
      await deps.identityProvider.verifyWithCode(await deps.control.totpCode(user.oid));
      await expect(code).toBeHidden();
    }
  }
  const { raw } = await authorization.redeem(await authorization.callback());
  return raw.access_token as string;
}
