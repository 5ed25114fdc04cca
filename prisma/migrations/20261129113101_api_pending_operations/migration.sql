-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PendingOperation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "sessionId" TEXT,
    "idempotencyKey" TEXT,
    "operation" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "payloadHash" TEXT NOT NULL,
    "openKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "consumedAt" DATETIME,
    "cancelledAt" DATETIME,
    CONSTRAINT "PendingOperation_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PendingOperation_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PendingOperation" ("cancelledAt", "consumedAt", "createdAt", "expiresAt", "id", "openKey", "operation", "payloadHash", "payloadJson", "sessionId", "userId") SELECT "cancelledAt", "consumedAt", "createdAt", "expiresAt", "id", "openKey", "operation", "payloadHash", "payloadJson", "sessionId", "userId" FROM "PendingOperation";
DROP TABLE "PendingOperation";
ALTER TABLE "new_PendingOperation" RENAME TO "PendingOperation";
CREATE UNIQUE INDEX "PendingOperation_openKey_key" ON "PendingOperation"("openKey");
CREATE INDEX "PendingOperation_sessionId_idx" ON "PendingOperation"("sessionId");
CREATE INDEX "PendingOperation_userId_operation_idempotencyKey_idx" ON "PendingOperation"("userId", "operation", "idempotencyKey");
CREATE INDEX "PendingOperation_userId_createdAt_idx" ON "PendingOperation"("userId", "createdAt");
CREATE INDEX "PendingOperation_expiresAt_idx" ON "PendingOperation"("expiresAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
