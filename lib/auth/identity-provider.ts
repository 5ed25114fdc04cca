import "server-only";
import { z } from "zod";
import { env } from "@/lib/env";

const metadataSchema = z.object({
  issuer: z.string(),
  end_session_endpoint: z.url(),
});

let cached: { value: z.infer<typeof metadataSchema>; fetchedAt: number } | undefined;
const METADATA_TTL_MS = 60 * 60 * 1000;

/**
 * The identity provider's OpenID metadata (cached for an hour). Read from discovery rather
 * than built from a URL pattern, so the same code works against the emulator and Entra ID.
 */
export async function getIdentityProviderMetadata() {
  if (cached && Date.now() - cached.fetchedAt < METADATA_TTL_MS) return cached.value;
  const url = `${env.AUTH_MICROSOFT_ENTRA_ID_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000), cache: "no-store" });
  if (!response.ok) throw new Error(`OpenID metadata request failed with ${response.status}`);
  const value = metadataSchema.parse(await response.json());
  cached = { value, fetchedAt: Date.now() };
  return value;
}
