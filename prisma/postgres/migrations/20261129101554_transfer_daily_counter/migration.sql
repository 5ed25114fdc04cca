-- AlterTable
ALTER TABLE "BankAccount" ADD COLUMN     "dailyOutDay" TEXT,
ADD COLUMN     "dailyOutMinor" BIGINT NOT NULL DEFAULT 0;
