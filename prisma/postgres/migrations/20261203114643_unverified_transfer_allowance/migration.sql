-- AlterTable
ALTER TABLE "BankAccount" ADD COLUMN     "dailyUnverifiedMinor" BIGINT NOT NULL DEFAULT 0;
