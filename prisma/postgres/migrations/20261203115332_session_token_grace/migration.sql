/*
  Warnings:

  - A unique constraint covering the columns `[previousSessionToken]` on the table `Session` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "previousSessionToken" TEXT,
ADD COLUMN     "previousTokenExpiresAt" TIMESTAMP(3),
ADD COLUMN     "tokenDelivered" BOOLEAN NOT NULL DEFAULT true;

-- CreateIndex
CREATE UNIQUE INDEX "Session_previousSessionToken_key" ON "Session"("previousSessionToken");
