-- AlterTable
ALTER TABLE "Payee" ADD COLUMN "removedAt" DATETIME;

-- CreateTable
CREATE TABLE "TransferLimit" (
    "userId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "perTransferMinor" BIGINT NOT NULL,
    "dailyMinor" BIGINT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("userId", "currency"),
    CONSTRAINT "TransferLimit_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NotificationPreferences" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "emailOnTransfer" BOOLEAN NOT NULL DEFAULT true,
    "emailOnNewPayee" BOOLEAN NOT NULL DEFAULT true,
    "emailOnNewDevice" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "NotificationPreferences_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" DATETIME NOT NULL,
    "acrs" TEXT NOT NULL DEFAULT '[]',
    "authTime" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "roles" TEXT NOT NULL DEFAULT '[]',
    "userAgent" TEXT,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("acrs", "authTime", "createdAt", "expires", "id", "lastSeenAt", "sessionToken", "userId") SELECT "acrs", "authTime", "createdAt", "expires", "id", "lastSeenAt", "sessionToken", "userId" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
