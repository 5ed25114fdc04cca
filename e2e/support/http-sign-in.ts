import https from "node:https";
import http from "node:http";
import { readFileSync } from "node:fs";
import type { BrowserContext } from "@playwright/test";
import type { E2eSettings } from "./settings";

/**
 * Signs a browser context in over HTTP: the same requests the browser makes when a person signs in
 * (Auth.js's sign-in POST, the identity provider's /authorize and its username and password forms,
 * the portal's callback), sent from the test instead of typed into pages, then the cookies both
 * servers set are handed to the browser. The browser ends up exactly as after a sign-in through
 * the pages: the portal's session, and the identity provider's single sign-on session that the
 * step-up popup later relies on.
 *
 * For tests about something else, which only need someone signed in: rendering four pages per test
 * was about a third of the suite's time. Tests about signing in drive the pages
 * (the `home` and `identityProvider` page objects), and so must any test whose persona's sign-in
 * asks more than a password (the identity provider answers with a page instead of sending the
 * browser back): this throws then, naming the page.
 *
 * Requests go through Node, not Playwright's request API, so that the password is in no trace or
 * report (Playwright records its API requests' bodies). The User-Agent is the browser's, so the
 * identity provider logs the sign-in as coming from that browser. It speaks the emulator's forms
 * (field names `flow`, `csrf`, `loginfmt`, `passwd`, the contract its pages keep with these tests),
 * so it is not for a real tenant's sign-in page.
 */
export async function signInOverHttp(context: BrowserContext, settings: E2eSettings, user: { userPrincipalName: string; password: string }, userAgent: string) {
  const client = new HttpClient(settings, userAgent);
  const csrf = (await client.json(`${settings.portalOrigin}/api/auth/csrf`)) as { csrfToken?: string };
  if (!csrf.csrfToken) throw new Error("HTTP sign-in: the portal returned no CSRF token");

  const start = await client.send("POST", `${settings.portalOrigin}/api/auth/signin/microsoft-entra-id`, {
    csrfToken: csrf.csrfToken,
    callbackUrl: "/dashboard",
  });
  const authorize = expectRedirect(start, settings.emulatorOrigin, "the portal's sign-in");

  const usernamePage = await client.send("GET", authorize);
  const flow = formFields(usernamePage, "the identity provider's username page");
  const tenantPath = new URL(authorize).pathname.split("/")[1];
  const loginUrl = (step: string) => `${settings.emulatorOrigin}/${tenantPath}/login/${step}`;
  const passwordPage = await client.send("POST", loginUrl("username"), { ...flow, loginfmt: user.userPrincipalName });
  const passwordFlow = formFields(passwordPage, "the identity provider's password page");
  const signedIn = await client.send("POST", loginUrl("password"), { ...passwordFlow, loginfmt: user.userPrincipalName, passwd: user.password });
  const callback = expectRedirect(signedIn, settings.portalOrigin, `signing in as ${user.userPrincipalName} with a password`);

  const session = await client.send("GET", callback);
  const landing = expectRedirect(session, settings.portalOrigin, "the portal's callback");
  if (new URL(landing).pathname !== "/dashboard") throw new Error(`HTTP sign-in: the portal's callback sent the browser to ${landing}, not /dashboard`);
  await context.addCookies(client.cookies());
}

interface Answer {
  status: number;
  location: string | null;
  body: string;
  url: string;
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: "Strict" | "Lax" | "None";
  expires: number;
}

/** Just enough of a browser: one cookie jar for `localhost` (cookies ignore ports), no redirects followed. */
class HttpClient {
  private readonly jar = new Map<string, StoredCookie>();
  private readonly ca: Buffer;

  constructor(
    settings: E2eSettings,
    private readonly userAgent: string,
  ) {
    this.ca = readFileSync(settings.caFile);
  }

  async json(url: string): Promise<unknown> {
    const answer = await this.send("GET", url);
    if (answer.status !== 200) throw new Error(`HTTP sign-in: GET ${url} answered ${answer.status}`);
    return JSON.parse(answer.body) as unknown;
  }

  send(method: "GET" | "POST", url: string, form?: Record<string, string>): Promise<Answer> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const target = new URL(url);
    const headers: Record<string, string> = { "user-agent": this.userAgent, accept: "text/html,application/json" };
    const cookie = [...this.jar.values()].map((c) => `${c.name}=${c.value}`).join("; ");
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      headers["content-length"] = String(Buffer.byteLength(body));
      headers.origin = target.origin;
    }
    const transport = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(target, { method, headers, ...(target.protocol === "https:" ? { ca: this.ca } : {}) }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          this.store(response.headers["set-cookie"] ?? [], target);
          const location = response.headers.location ? new URL(response.headers.location, target).href : null;
          resolve({ status: response.statusCode ?? 0, location, body: Buffer.concat(chunks).toString("utf8"), url });
        });
        response.on("error", reject);
      });
      request.on("error", reject);
      request.end(body);
    });
  }

  /** The jar, as the browser context's cookies. */
  cookies() {
    return [...this.jar.values()].map((c) => ({
      name: c.name,
      value: c.value,
      domain: "localhost",
      path: c.path,
      secure: c.secure,
      httpOnly: c.httpOnly,
      sameSite: c.sameSite,
      expires: c.expires,
    }));
  }

  private store(setCookies: string[], from: URL) {
    for (const header of setCookies) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const cookie: StoredCookie = { name, value: pair.slice(eq + 1), path: "/", secure: false, httpOnly: false, sameSite: "Lax", expires: -1 };
      let expired = false;
      for (const attribute of attributes) {
        const [key = "", value = ""] = attribute.split("=");
        switch (key.toLowerCase()) {
          case "path":
            cookie.path = value || "/";
            break;
          case "secure":
            cookie.secure = from.protocol === "https:";
            break;
          case "httponly":
            cookie.httpOnly = true;
            break;
          case "samesite":
            cookie.sameSite = value.toLowerCase() === "strict" ? "Strict" : value.toLowerCase() === "none" ? "None" : "Lax";
            break;
          case "max-age":
            if (Number(value) <= 0) expired = true;
            else cookie.expires = Math.floor(Date.now() / 1000) + Number(value);
            break;
          case "expires":
            if (Date.parse(value) <= Date.now()) expired = true;
            else if (cookie.expires === -1) cookie.expires = Math.floor(Date.parse(value) / 1000);
            break;
        }
      }
      if (expired) this.jar.delete(name);
      else this.jar.set(name, cookie);
    }
  }
}

/** The redirect an answer must be, to `origin`; else an error naming the page the server showed instead. */
function expectRedirect(answer: Answer, origin: string, what: string): string {
  if (answer.status >= 300 && answer.status < 400 && answer.location?.startsWith(origin)) return answer.location;
  const title = /<title>([^<]*)<\/title>/i.exec(answer.body)?.[1]?.trim();
  throw new Error(
    `HTTP sign-in: ${what} answered ${answer.status}${answer.location ? ` → ${answer.location}` : ""}${title ? ` with the page "${title}"` : ""}, ` +
      "not a redirect onwards. A sign-in that asks more than a password goes through the pages (home.startSignIn(), identityProvider.signIn()).",
  );
}

/** The hidden fields every emulator sign-in form carries (its transaction and CSRF token). */
function formFields(answer: Answer, what: string): { flow: string; csrf: string } {
  const flow = /name="flow" value="([^"]+)"/.exec(answer.body)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(answer.body)?.[1];
  if (answer.status !== 200 || !flow || !csrf) throw new Error(`HTTP sign-in: expected ${what}, got ${answer.status} from ${answer.url}`);
  return { flow: decodeHtml(flow), csrf: decodeHtml(csrf) };
}

function decodeHtml(text: string): string {
  return text.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}
