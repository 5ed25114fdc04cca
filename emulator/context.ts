import type { AppRegistry } from "./apps.js";
import type { ClaimsRequest } from "./claims.js";
import type { KeyStore } from "./keys.js";
import type { MfaMethod, PolicySet, PolicySetName } from "./policy.js";
import type { ResolvedScopes } from "./scopes.js";
import type { SignInLogStore } from "./signin-log.js";
import type { StateStore } from "./state.js";
import type { AuthStep, ConsoleState, Log, NetworkTable, RiskDetail, RiskLevel, RiskState, SignInLocation, SignInRiskEventType } from "./types.js";

/** How the authorize response reaches the client. */
export type ResponseMode = "query" | "fragment" | "form_post";

/**
 * Risk assessed once per transaction, after primary authentication, for the user then known
 * (simulated Identity Protection, risk.ts). Conditional Access sees `level` and `userLevel` for the
 * whole transaction, so completing what a risk policy asked for shows as that policy's success.
 */
export interface TxRisk {
  oid: string;
  ip: string;
  userAgent?: string;
  location?: SignInLocation;
  level: RiskLevel;
  eventTypes: SignInRiskEventType[];
  /** The user's risk (while at risk) when the sign-in started. */
  userLevel: RiskLevel;
  state: RiskState;
  detail: RiskDetail;
}

/** A pending interactive authorization (server-side, keyed by an opaque id in the page's forms). */
export interface AuthorizeTx {
  id: string;
  /** Per-transaction CSRF token every form post must echo. */
  csrf: string;
  createdAt: number;
  clientId: string;
  redirectUri: string;
  /** The request sent no redirect_uri; the app's only one was used (the token request may omit it too). */
  redirectUriDefaulted?: boolean;
  responseMode: ResponseMode;
  state?: string;
  nonce?: string;
  scope: string;
  scopes: ResolvedScopes;
  codeChallenge?: string;
  prompt?: string;
  loginHint?: string;
  maxAgeSeconds?: number;
  rawClaims?: string;
  claims: ClaimsRequest;
  /** The request sent `client_info=1`: the response carries `client_info`. */
  clientInfo?: boolean;
  /** The client's `client-request-id`, or one the emulator generated; in errors and the sign-in log. */
  correlationId: string;
  /** Authentication steps taken in this transaction, for the sign-in log. */
  steps: AuthStep[];
  risk?: TxRisk;
  /** The user completed the secure password change (`passwordChange` grant control) here. */
  passwordChanged?: boolean;
  /** User identified by the username step. */
  pendingOid?: string;
  /** `prompt=select_account`: the person picked an account (or chose another) on the picker. */
  accountPicked?: boolean;
  /** The password was verified in this transaction (satisfies prompt=login / max_age). */
  passwordInTx: boolean;
  /** Registration interrupt: a TOTP secret offered but not yet confirmed. */
  pendingTotpSecret?: string;
  /** Outstanding WebAuthn challenge and what it is for. */
  webauthn?: { challenge: string; purpose: "authenticate" | "register" };
  /** Method the user picked on the choice page. */
  chosenMethod?: MfaMethod;
  /** When an SMS code was last sent in this transaction (emulator clock). */
  smsSentAt?: number;
}

/** Everything handlers share: configuration, state and registrations. */
export interface Emulator {
  origin: string;
  tenantId: string;
  /** `${origin}/${tenantId}/v2.0`. */
  issuer: string;
  portalOrigin: string;
  store: StateStore;
  keys: KeyStore;
  apps: AppRegistry;
  /** The active Conditional Access policy set; `setPolicySet` in control.ts swaps it. */
  policy: PolicySet;
  /** Every loaded set, validated at start. */
  policySets: Record<PolicySetName, PolicySet>;
  /** The set chosen at start (`EMULATOR_POLICY_SET`); `POST /__control/reset` returns to it. */
  initialPolicySet: PolicySetName;
  pending: Map<string, AuthorizeTx>;
  /** IP → location table and anonymiser ranges (`ip-locations.json`). */
  network: NetworkTable;
  /** Sign-in logs (Graph `signIn` shape). */
  signIns: SignInLogStore;
  /** The admin console's sessions and sign-ins in progress (console.ts). */
  console: ConsoleState;
  /** Present only with `--test-control`. */
  controlSecret?: string;
  /** The @simplewebauthn/browser UMD bundle served to passkey pages. */
  webauthnBundle: Buffer;
  /** Structured server-side log; never pass tokens, codes, secrets or cookies. */
  log: Log;
}

/** Transactions older than this are discarded (Entra's sign-in pages time out similarly). */
export const TX_TTL_MS = 10 * 60 * 1000;
