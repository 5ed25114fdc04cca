import "server-only";
import { handlers } from "@/lib/auth/config";

/** Auth.js's /api/auth/* route handlers (re-exported by the route file, nothing else). */
export const { GET, POST } = handlers;
