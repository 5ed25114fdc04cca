-- AlterTable
ALTER TABLE "PendingOperation" ADD COLUMN     "idempotencyKey" TEXT,
ALTER COLUMN "sessionId" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "PendingOperation_userId_operation_idempotencyKey_idx" ON "PendingOperation"("userId", "operation", "idempotencyKey");
