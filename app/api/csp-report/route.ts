import { cspReportResponse } from "@/lib/security/csp-report";

/** Content-Security-Policy violation reports (proxy.ts's `report-uri` and `report-to`); see lib/security/csp-report.ts. */
export const POST = (request: Request) => cspReportResponse(request);
