import https from "node:https";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { decodeJwt } from "jose";
import { expect, type Page, type Request, type Response } from "@playwright/test";
import type { E2eSettings } from "./settings";

/** The portal's public (SPA) client, as registered in the emulator (docs/contracts.md). */
export const SPA_CLIENT_ID = "115cbd24-ca1d-442e-b2d1-5e6e4995c1c1";
export const API_SCOPE = "api://woodgrove-portal/access_as_user";

/**
 * A hand-built authorization request for the portal's SPA client, for tests that drive the
 * identity provider's own pages in the browser (what MSAL's popup does), before the portal's
 * step-up UI exists to do it for them.
 */
export class AuthorizationRequest {
  readonly verifier = randomBytes(32).toString("base64url");
  readonly state = randomBytes(16).toString("base64url");
  readonly nonce = randomBytes(16).toString("base64url");
  readonly redirectUri: string;

  constructor(
    private readonly settings: E2eSettings,
    /** `claims`: a claims request sent verbatim (e.g. decoded from a resource's challenge); `contexts` builds one. */
    private readonly options: { contexts?: string[]; claims?: string; loginHint?: string; prompt?: string } = {},
  ) {
    this.redirectUri = `${settings.portalOrigin}/auth/redirect-bridge`;
  }

  /** The URL the browser was sent back to (code or error), once it has been. */
  private answer: string | undefined;

  /**
   * Opens the /authorize URL in the page and watches for the browser being sent back to the
   * redirect URI with this request's `state`. The address is taken from the request itself, not
   * from the page: the portal's bridge page hands the answer to MSAL and may change its URL.
   */
  async open(page: Page): Promise<Response | null> {
    const watch = (request: Request) => {
      if (!request.isNavigationRequest() || !request.url().startsWith(`${this.redirectUri}?`)) return;
      if (new URL(request.url()).searchParams.get("state") !== this.state) return;
      this.answer = request.url();
      page.off("request", watch);
    };
    page.on("request", watch);
    return page.goto(this.url());
  }

  /** Whether the browser has been sent back to the redirect URI yet (see `open`). */
  get answered(): boolean {
    return this.answer !== undefined;
  }

  /** The redirect URI with the identity provider's answer, once the browser has been sent there (see `open`). */
  async callback(): Promise<string> {
    await expect
      .poll(() => this.answer, { message: "the identity provider has not sent the browser back to the redirect URI" })
      .toBeDefined();
    return this.answer!;
  }

  /** The /authorize URL to open in the browser. */
  url(): string {
    const url = new URL(`${this.settings.emulatorOrigin}/${this.settings.tenantId}/oauth2/v2.0/authorize`);
    const challenge = createHash("sha256").update(this.verifier).digest("base64url");
    const params: Record<string, string> = {
      client_id: SPA_CLIENT_ID,
      response_type: "code",
      response_mode: "query",
      redirect_uri: this.redirectUri,
      scope: `openid profile offline_access ${API_SCOPE}`,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: this.state,
      nonce: this.nonce,
    };
    if (this.options.claims) {
      params.claims = this.options.claims;
    } else if (this.options.contexts?.length) {
      const acrs = this.options.contexts.length === 1 ? { essential: true, value: this.options.contexts[0] } : { essential: true, values: this.options.contexts };
      params.claims = JSON.stringify({ access_token: { acrs } });
    }
    if (this.options.loginHint) params.login_hint = this.options.loginHint;
    if (this.options.prompt) params.prompt = this.options.prompt;
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Redeems the code the browser came back with, cross-origin as a SPA does; returns the claims. */
  async redeem(callbackUrl: string): Promise<{ accessToken: Record<string, unknown>; raw: Record<string, unknown> }> {
    const callback = new URL(callbackUrl);
    if (callback.searchParams.get("state") !== this.state) throw new Error("state mismatch");
    const code = callback.searchParams.get("code");
    if (!code) throw new Error(`no code in the callback: ${callback.searchParams.get("error_description") ?? callback.search}`);
    const body = new URLSearchParams({
      client_id: SPA_CLIENT_ID,
      grant_type: "authorization_code",
      code,
      redirect_uri: this.redirectUri,
      code_verifier: this.verifier,
      scope: `openid profile offline_access ${API_SCOPE}`,
    }).toString();
    const raw = await postForm(this.settings, `/${this.settings.tenantId}/oauth2/v2.0/token`, body);
    if (typeof raw.access_token !== "string") throw new Error(`token request failed: ${JSON.stringify(raw)}`);
    return { accessToken: decodeJwt(raw.access_token) as Record<string, unknown>, raw };
  }

  /**
   * The error the identity provider sent back to the redirect URI instead of a code (after
   * checking `state`). Throws if the callback carries a code, so a test cannot mistake a grant
   * for a refusal.
   */
  refusal(callbackUrl: string): AuthorizationError {
    const callback = new URL(callbackUrl);
    if (callback.searchParams.get("state") !== this.state) throw new Error("state mismatch");
    if (callback.searchParams.has("code")) throw new Error("the identity provider issued a code");
    const error = callback.searchParams.get("error");
    if (!error) throw new Error(`neither a code nor an error in the callback: ${callback.search}`);
    return {
      error,
      errorDescription: callback.searchParams.get("error_description") ?? "",
      errorSubcode: callback.searchParams.get("error_subcode"),
      suberror: callback.searchParams.get("suberror"),
    };
  }
}

/** An authorize error as the redirect URI receives it. */
export interface AuthorizationError {
  error: string;
  errorDescription: string;
  errorSubcode: string | null;
  suberror: string | null;
}

function postForm(settings: E2eSettings, route: string, body: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${settings.emulatorOrigin}${route}`,
      {
        method: "POST",
        ca: readFileSync(settings.caFile),
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          origin: settings.portalOrigin,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
