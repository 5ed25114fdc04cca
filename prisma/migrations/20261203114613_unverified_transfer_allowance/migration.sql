-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_BankAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "balanceMinor" BIGINT NOT NULL DEFAULT 0,
    "maskedNumber" TEXT NOT NULL,
    "fullNumber" TEXT NOT NULL,
    "dailyOutDay" TEXT,
    "dailyOutMinor" BIGINT NOT NULL DEFAULT 0,
    "dailyUnverifiedMinor" BIGINT NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "BankAccount_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_BankAccount" ("balanceMinor", "createdAt", "currency", "dailyOutDay", "dailyOutMinor", "fullNumber", "id", "kind", "maskedNumber", "name", "ownerId", "updatedAt") SELECT "balanceMinor", "createdAt", "currency", "dailyOutDay", "dailyOutMinor", "fullNumber", "id", "kind", "maskedNumber", "name", "ownerId", "updatedAt" FROM "BankAccount";
DROP TABLE "BankAccount";
ALTER TABLE "new_BankAccount" RENAME TO "BankAccount";
CREATE INDEX "BankAccount_ownerId_idx" ON "BankAccount"("ownerId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
