-- AlterTable
ALTER TABLE "Payee" ADD COLUMN     "removedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "roles" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "userAgent" TEXT;

-- CreateTable
CREATE TABLE "TransferLimit" (
    "userId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "perTransferMinor" BIGINT NOT NULL,
    "dailyMinor" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TransferLimit_pkey" PRIMARY KEY ("userId","currency")
);

-- CreateTable
CREATE TABLE "NotificationPreferences" (
    "userId" TEXT NOT NULL,
    "emailOnTransfer" BOOLEAN NOT NULL DEFAULT true,
    "emailOnNewPayee" BOOLEAN NOT NULL DEFAULT true,
    "emailOnNewDevice" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationPreferences_pkey" PRIMARY KEY ("userId")
);

-- AddForeignKey
ALTER TABLE "TransferLimit" ADD CONSTRAINT "TransferLimit_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationPreferences" ADD CONSTRAINT "NotificationPreferences_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
