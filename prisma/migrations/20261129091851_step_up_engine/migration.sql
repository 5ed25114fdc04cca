-- CreateTable
CREATE TABLE "SessionElevation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "context" TEXT NOT NULL,
    "proofUti" TEXT NOT NULL,
    "grantedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "SessionElevation_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PendingOperation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
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

-- CreateTable
CREATE TABLE "UsedProof" (
    "uti" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "usedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SessionElevation_sessionId_context_expiresAt_idx" ON "SessionElevation"("sessionId", "context", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "PendingOperation_openKey_key" ON "PendingOperation"("openKey");

-- CreateIndex
CREATE INDEX "PendingOperation_sessionId_idx" ON "PendingOperation"("sessionId");

-- CreateIndex
CREATE INDEX "PendingOperation_userId_createdAt_idx" ON "PendingOperation"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "PendingOperation_expiresAt_idx" ON "PendingOperation"("expiresAt");

-- CreateIndex
CREATE INDEX "UsedProof_expiresAt_idx" ON "UsedProof"("expiresAt");
