import { test } from "node:test";
import assert from "node:assert/strict";
import { sessionCookieFor } from "@/lib/auth/session-cookie";

test("over https the session cookie is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/", () => {
  assert.deepEqual(sessionCookieFor("https://portal.example"), {
    name: "__Host-authjs.session-token",
    options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
  });
});

test("over plain http (local runs) no prefix is possible: HttpOnly and SameSite still hold", () => {
  assert.deepEqual(sessionCookieFor("http://localhost:3000"), {
    name: "authjs.session-token",
    options: { httpOnly: true, sameSite: "lax", path: "/", secure: false },
  });
});
