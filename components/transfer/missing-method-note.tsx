"use client";

import Link from "next/link";
import { use } from "react";
import { ADD_A_METHOD_ANCHOR, describeMissingMethod, type MethodsSummary } from "@/lib/step-up/methods";
import type { AuthContextId, PolicySetName } from "@/lib/step-up/policy";

/**
 * The transfer hint's second sentence when the person has no method the transfer's context
 * accepts ("You have no passkey yet: …"), with a link to where Settings › Security says how to
 * add one. `methods` streams from the server (Graph may be slow): render it inside `<Suspense>`,
 * which shows nothing until it is known. Known to be missing nothing, or not known: nothing.
 * It never stops the person from sending: the identity provider offers registration then.
 */
export function MissingMethodNote({ methods, policySet, authContext }: { methods: Promise<MethodsSummary | null>; policySet: PolicySetName; authContext: AuthContextId }) {
  const missing = describeMissingMethod(policySet, authContext, use(methods));
  if (!missing) return null;
  return (
    <>
      {` ${missing.sentence} `}
      <Link href={`/settings/security#${ADD_A_METHOD_ANCHOR}`} className="font-medium text-brand-700 underline">
        {missing.linkText}
      </Link>
    </>
  );
}
