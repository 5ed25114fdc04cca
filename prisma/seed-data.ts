/**
 * Demo banking data for one directory user: accounts, payees and twelve months of
 * categorised ledger history ending at `now`. Used by prisma/seed.ts for every
 * user in emulator/directory.json, and by the Playwright kit to give each test its
 * own freshly created user (`seedPersona`).
 *
 * Deterministic: amounts, products, names and account numbers come from a PRNG
 * seeded with the user's (tenantId, objectId), and row ids are hashes of the same,
 * so seeding the same user again produces the same rows (only dates follow `now`).
 * Idempotent: a user who already has accounts is left as is.
 *
 * Invariants it maintains (docs/database.md):
 * - every account's balanceMinor is the sum of its entries' amountMinor, and each
 *   entry's balanceAfterMinor is the running sum;
 * - the two entries of a Transfer sum to zero; a payment to a payee credits the
 *   bank's clearing account for the currency (CLEARING_ACCOUNTS).
 * - no deposit account ever goes below zero (overdraft protection from savings).
 */
import { createHash } from "node:crypto";
import { Prisma, type PrismaClient } from "../lib/generated/prisma/client";

/** A directory user to seed (emulator/directory.json's fields, plus the tenant). */
export interface PersonaIdentity {
  tenantId: string;
  objectId: string;
  displayName: string;
  userPrincipalName: string;
  /** The emulator persona ("totp", "passkey", ...); informative only. */
  persona?: string;
}

/** Options for seedPersona. */
export interface SeedOptions {
  /** Last moment of the generated history (default: now). */
  now?: Date;
  /** Force which optional products the user has (default: chosen by the PRNG). */
  products?: { creditCard?: boolean; brokerage?: boolean };
}

/** What seedPersona did. */
export interface SeedResult {
  userId: string;
  /** False when the user already had accounts and nothing but their name was touched. */
  created: boolean;
  /** The user's account ids, sorted. */
  accountIds: string[];
}

/** The bank's settlement accounts, one per currency: the credit side of payments to payees. */
export const CLEARING_ACCOUNTS = {
  USD: { id: "clearing_usd", name: "Outbound payments clearing (USD)", currency: "USD", number: "9900000001" },
} as const;

const CURRENCY = "USD";
const CLEARING = CLEARING_ACCOUNTS[CURRENCY];
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 365;

// ---------------------------------------------------------------------------
// Deterministic randomness and ids
// ---------------------------------------------------------------------------

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** mulberry32: tiny, fast, good enough for demo data; seeded from the identity hash. */
function createRandom(seedHex: string) {
  let state = Number.parseInt(seedHex.slice(0, 8), 16) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    /** Integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    digits: (count: number) => Array.from({ length: count }, () => Math.floor(next() * 10)).join(""),
  };
}

type Random = ReturnType<typeof createRandom>;

/** Stable row id for `key` within one user: same user + key → same id, on every run. */
function rowId(prefix: string, identityKey: string, key: string): string {
  return `${prefix}_${sha256Hex(`${identityKey}|${key}`).slice(0, 24)}`;
}

// ---------------------------------------------------------------------------
// The plan: every row to insert, computed in memory first
// ---------------------------------------------------------------------------

type SeedKind = "checking" | "savings" | "credit_card" | "brokerage";

interface PlannedAccount {
  id: string;
  kind: SeedKind;
  name: string;
  fullNumber: string;
  maskedNumber: string;
  balance: bigint;
}

/** One side of a posting, before the running balance is known. */
interface Posting {
  account: PlannedAccount | "clearing";
  amount: bigint;
  category: string;
  description: string;
  counterparty: string | null;
}

interface SeedPlan {
  userId: string;
  accounts: PlannedAccount[];
  payees: Prisma.PayeeCreateManyInput[];
  transfers: Prisma.TransferCreateManyInput[];
  entries: Prisma.LedgerEntryCreateManyInput[];
  /** Entries on the clearing account, whose running balance is only known inside the transaction. */
  clearingEntries: Omit<Prisma.LedgerEntryCreateManyInput, "balanceAfterMinor">[];
  clearingTotal: bigint;
}

const ACCOUNT_NAMES: Record<SeedKind, string> = {
  checking: "Everyday Checking",
  savings: "High-Yield Savings",
  credit_card: "Woodgrove Rewards Visa",
  brokerage: "Self-Directed Brokerage",
};

const MERCHANTS = {
  groceries: ["Contoso Market", "Fabrikam Fresh", "Northwind Grocers", "Wingtip Organics"],
  dining: ["Fourth Coffee", "Coho Winery Bistro", "Alpine Ski House Café", "Trey Research Diner", "The Phone Company Pizza"],
  transport: ["Margie's Travel Fuel", "Metro Transit", "Blue Yonder Rideshare"],
  shopping: ["Tailspin Toys", "Lucerne Publishing", "Adventure Works", "Proseware Electronics"],
  travel: ["Blue Yonder Airlines", "Margie's Travel", "Humongous Insurance Travel Cover", "Relecloud Hotels"],
  subscriptions: ["Litware Streaming", "Graphic Design Institute", "Contoso Cloud Storage"],
  utilities: ["Fabrikam Power & Light", "City Water Services"],
  telecom: ["Consolidated Messenger Mobile", "Wide World Internet"],
} as const;

const PAYEE_POOL = [
  { name: "Jordan Lee", bankName: "Contoso Bank" },
  { name: "Fabrikam Plumbing", bankName: "Fabrikam Credit Union" },
  { name: "Contoso Day Care", bankName: "Litware Savings" },
  { name: "Priya Patel", bankName: "Woodgrove Bank" },
  { name: "Northwind Landscaping", bankName: "Contoso Bank" },
] as const;

const EMPLOYERS = ["Contoso Ltd", "Fabrikam Inc", "Northwind Traders", "Adatum Corporation", "Tailwind Traders"] as const;

function dollars(random: Random, min: number, max: number): bigint {
  return BigInt(random.int(min * 100, max * 100));
}

function newAccount(random: Random, identityKey: string, kind: SeedKind): PlannedAccount {
  const fullNumber = kind === "credit_card" ? `4${random.digits(15)}` : random.digits(10);
  return {
    id: rowId("acct", identityKey, kind),
    kind,
    name: ACCOUNT_NAMES[kind],
    fullNumber,
    maskedNumber: `•••• ${fullNumber.slice(-4)}`,
    balance: 0n,
  };
}

/** Builds every row for one user. Pure: no database access. */
function planPersona(identity: PersonaIdentity, userId: string, options: SeedOptions): SeedPlan {
  const identityKey = `${identity.tenantId}:${identity.objectId}`;
  const random = createRandom(sha256Hex(identityKey));
  const now = options.now ?? new Date();

  const hasCard = options.products?.creditCard ?? random.chance(0.75);
  const hasBrokerage = options.products?.brokerage ?? random.chance(0.5);
  const checking = newAccount(random, identityKey, "checking");
  const savings = newAccount(random, identityKey, "savings");
  const card = hasCard ? newAccount(random, identityKey, "credit_card") : null;
  const brokerage = hasBrokerage ? newAccount(random, identityKey, "brokerage") : null;
  const accounts = [checking, savings, card, brokerage].filter((a): a is PlannedAccount => a !== null);
  const spendFrom = card ?? checking;

  const createdAt = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
  const landlordNumber = random.digits(10);
  const payees: Prisma.PayeeCreateManyInput[] = [
    { name: "Contoso Property Management", bankName: "Contoso Bank", accountNumber: landlordNumber },
    ...[...PAYEE_POOL].sort(() => random.next() - 0.5).slice(0, 2).map((p) => ({ ...p, accountNumber: random.digits(10) })),
  ].map((p, index) => ({
    id: rowId("payee", identityKey, String(index)),
    ownerId: userId,
    name: p.name,
    bankName: p.bankName,
    accountNumber: p.accountNumber,
    maskedAccountNumber: `•••• ${p.accountNumber.slice(-4)}`,
    createdAt,
  }));
  const landlord = payees[0]!;

  const salary = dollars(random, 4200, 7800);
  // Rent is at most 35 % of the salary: nobody in the demo lives beyond their means for a year.
  const drawnRent = dollars(random, 1400, 2600);
  const rent = drawnRent < (salary * 35n) / 100n ? drawnRent : (salary * 35n) / 100n;
  const employer = random.pick(EMPLOYERS);

  const transfers: Prisma.TransferCreateManyInput[] = [];
  const entries: Prisma.LedgerEntryCreateManyInput[] = [];
  const clearingEntries: SeedPlan["clearingEntries"] = [];
  let clearingTotal = 0n;
  let sequence = 0;

  /** Books postings at `at`; with `transfer`, they are its two sides and must sum to zero. */
  const book = (at: Date, postings: Posting[], transfer?: Omit<Prisma.TransferCreateManyInput, "id" | "ownerId" | "idempotencyKey" | "currency" | "status" | "createdAt" | "completedAt">) => {
    // Overdraft protection: the portal never takes a deposit account below zero (docs/database.md),
    // so neither may its history. A debit checking cannot cover is preceded, a minute earlier, by
    // a transfer from savings (in steps of 500.00, at most what savings holds); one that even
    // that cannot cover is declined, i.e. not booked.
    const checkingAfter = postings.reduce((balance, p) => (p.account === checking ? balance + p.amount : balance), checking.balance);
    if (checkingAfter < 0n) {
      const wanted = ((-checkingAfter + 49_999n) / 50_000n) * 50_000n;
      const available = savings.balance < wanted ? savings.balance : wanted;
      if (available < -checkingAfter) return;
      const topUp = between(savings, checking, available, "transfer", "Overdraft protection");
      book(new Date(at.getTime() - 60_000), topUp.postings, topUp.transfer);
    }
    let transferId: string | null = null;
    if (transfer) {
      const sum = postings.reduce((total, p) => total + p.amount, 0n);
      if (sum !== 0n) throw new Error("seed bug: transfer postings must sum to zero");
      transferId = rowId("xfer", identityKey, String(transfers.length));
      transfers.push({
        ...transfer,
        id: transferId,
        ownerId: userId,
        currency: CURRENCY,
        status: "completed",
        idempotencyKey: `seed-${transfers.length}`,
        createdAt: at,
        completedAt: at,
      });
    }
    for (const posting of postings) {
      const base = {
        id: rowId("le", identityKey, String(sequence++)),
        transferId,
        amountMinor: posting.amount,
        currency: CURRENCY,
        category: posting.category,
        description: posting.description,
        counterparty: posting.counterparty,
        bookedAt: at,
        createdAt: at,
      };
      if (posting.account === "clearing") {
        clearingEntries.push({ ...base, accountId: CLEARING.id });
        clearingTotal += posting.amount;
      } else {
        posting.account.balance += posting.amount;
        entries.push({ ...base, accountId: posting.account.id, balanceAfterMinor: posting.account.balance });
      }
    }
  };
  const external = (account: PlannedAccount, amount: bigint, category: string, description: string, counterparty: string | null): Posting => ({
    account, amount, category, description, counterparty,
  });
  const between = (from: PlannedAccount, to: PlannedAccount, amount: bigint, category: string, memo: string) => ({
    postings: [
      external(from, -amount, category, `${memo} to ${to.name} ${to.maskedNumber}`, null),
      external(to, amount, category, `${memo} from ${from.name} ${from.maskedNumber}`, null),
    ],
    transfer: { fromAccountId: from.id, toAccountId: to.id, amountMinor: amount, memo },
  });

  // Opening balances, a year ago.
  const opening = new Date(createdAt.getTime() + 8 * 3_600_000);
  book(opening, [external(checking, dollars(random, 2500, 6000), "opening_balance", "Opening balance", null)]);
  book(opening, [external(savings, dollars(random, 8000, 40000), "opening_balance", "Opening balance", null)]);
  if (brokerage) book(opening, [external(brokerage, dollars(random, 15000, 90000), "opening_balance", "Opening balance", null)]);

  for (let day = 1; day <= HISTORY_DAYS; day++) {
    const dayStart = createdAt.getTime() + day * DAY_MS;
    const firstBooking = dayStart + 9 * 3_600_000;
    if (firstBooking > now.getTime()) break;
    let slot = 0;
    // Several events on one day get distinct, increasing times so the order is total.
    const at = () => new Date(firstBooking + 37 * 60_000 * slot++);
    const date = new Date(dayStart);
    const dom = date.getUTCDate();
    const month = date.getUTCMonth();

    if (dom === 1) book(at(), [external(checking, salary + dollars(random, 0, 150), "salary", `Payroll ${employer}`, employer)]);
    if (dom === 3) {
      book(at(), [external(checking, -rent, "rent", `Rent to ${landlord.name}`, landlord.name), { account: "clearing", amount: rent, category: "rent", description: `Payment to ${landlord.name} ${landlord.maskedAccountNumber}`, counterparty: landlord.name }],
        { fromAccountId: checking.id, payeeId: landlord.id, amountMinor: rent, memo: "Rent" });
    }
    if (dom === 6) book(at(), [external(checking, -dollars(random, 60, 190), "utilities", "Electricity bill", MERCHANTS.utilities[0])]);
    if (dom === 9) book(at(), [external(checking, -dollars(random, 30, 70), "utilities", "Water bill", MERCHANTS.utilities[1])]);
    if (dom === 11) book(at(), [external(spendFrom, -dollars(random, 55, 120), "utilities", "Mobile and internet", random.pick(MERCHANTS.telecom))]);
    if (dom === 12) book(at(), [external(spendFrom, -dollars(random, 9, 25), "subscriptions", "Monthly subscription", random.pick(MERCHANTS.subscriptions))]);
    // Saving and investing only from what is left once next month's rent is kept aside.
    const spare = (amount: bigint) => checking.balance - amount >= rent;
    if (dom === 10) {
      const t = between(checking, savings, dollars(random, 200, 800), "transfer", "Monthly savings");
      if (spare(t.transfer.amountMinor)) book(at(), t.postings, t.transfer);
    }
    if (dom === 25 && brokerage) {
      const t = between(checking, brokerage, dollars(random, 250, 1000), "investment", "Brokerage contribution");
      if (spare(t.transfer.amountMinor)) book(at(), t.postings, t.transfer);
    }
    if (dom === 20 && card && card.balance < 0n) {
      const t = between(checking, card, -card.balance, "card_payment", "Credit card payment");
      book(at(), t.postings, t.transfer);
    }
    if (dom === 28) {
      const interest = (savings.balance * 35n) / 12_000n; // 3.5% APR, monthly, rounded down
      if (interest > 0n) book(at(), [external(savings, interest, "interest", "Interest paid", "Woodgrove Bank")]);
    }
    if (dom === 15 && brokerage && month % 3 === 2) {
      book(at(), [external(brokerage, dollars(random, 40, 400), "dividends", "Quarterly dividends", "Woodgrove Securities")]);
    }
    if (random.chance(0.3)) book(at(), [external(spendFrom, -dollars(random, 25, 180), "groceries", "Groceries", random.pick(MERCHANTS.groceries))]);
    if (random.chance(0.25)) book(at(), [external(spendFrom, -dollars(random, 8, 95), "dining", "Restaurant", random.pick(MERCHANTS.dining))]);
    if (random.chance(0.15)) book(at(), [external(spendFrom, -dollars(random, 5, 70), "transport", "Fuel and transit", random.pick(MERCHANTS.transport))]);
    if (random.chance(0.06)) book(at(), [external(spendFrom, -dollars(random, 15, 250), "shopping", "Shopping", random.pick(MERCHANTS.shopping))]);
    if (random.chance(0.012)) book(at(), [external(spendFrom, -dollars(random, 180, 1400), "travel", "Travel booking", random.pick(MERCHANTS.travel))]);
    if (random.chance(0.02)) book(at(), [external(checking, -BigInt(random.int(2, 10) * 2000), "cash", "ATM withdrawal", "Woodgrove ATM")]);
  }

  return { userId, accounts, payees, transfers, entries, clearingEntries, clearingTotal };
}

// ---------------------------------------------------------------------------
// Writing the plan
// ---------------------------------------------------------------------------

/**
 * Prisma's SQLite engine deadlocks when one client runs more interactive
 * transactions at once than it has worker threads (prisma/orm#29870), so seeding
 * is serialised per client.
 */
const queues = new WeakMap<object, Promise<unknown>>();

function serialised<T>(client: object, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(client) ?? Promise.resolve();
  const run = previous.then(work, work);
  queues.set(client, run.catch(() => undefined));
  return run;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Creates a directory user (keyed by tenantId + objectId) with demo accounts,
 * payees and a year of history, in one transaction. If the user already has
 * accounts, only their display name and UPN are refreshed. A user that Auth.js
 * created first (no accounts yet) keeps its id and gets the data.
 */
export function seedPersona(prisma: PrismaClient, identity: PersonaIdentity, options: SeedOptions = {}): Promise<SeedResult> {
  return serialised(prisma, async () => {
    const existing = await findSeededUser(prisma, identity);
    if (existing && existing.accountIds.length > 0) return refreshNames(prisma, identity, existing);
    const userId = existing?.id ?? rowId("usr", `${identity.tenantId}:${identity.objectId}`, "user");
    const plan = planPersona(identity, userId, options);
    try {
      await writePlan(prisma, identity, plan);
    } catch (error) {
      // Someone seeded the same user concurrently and won: theirs is identical.
      const winner = isUniqueViolation(error) ? await findSeededUser(prisma, identity) : null;
      if (winner && winner.accountIds.length > 0) return { userId: winner.id, created: false, accountIds: winner.accountIds };
      throw error;
    }
    return { userId, created: true, accountIds: plan.accounts.map((a) => a.id).sort() };
  });
}

async function findSeededUser(prisma: PrismaClient, identity: PersonaIdentity) {
  const user = await prisma.user.findUnique({
    where: { tenantId_objectId: { tenantId: identity.tenantId, objectId: identity.objectId } },
    select: { id: true, name: true, userPrincipalName: true, bankAccounts: { select: { id: true }, orderBy: { id: "asc" } } },
  });
  return user && { ...user, accountIds: user.bankAccounts.map((a) => a.id) };
}

async function refreshNames(
  prisma: PrismaClient,
  identity: PersonaIdentity,
  user: { id: string; name: string | null; userPrincipalName: string | null; accountIds: string[] },
): Promise<SeedResult> {
  if (user.name !== identity.displayName || user.userPrincipalName !== identity.userPrincipalName) {
    await prisma.user.update({
      where: { id: user.id },
      data: { name: identity.displayName, userPrincipalName: identity.userPrincipalName },
    });
  }
  return { userId: user.id, created: false, accountIds: user.accountIds };
}

async function writePlan(prisma: PrismaClient, identity: PersonaIdentity, plan: SeedPlan): Promise<void> {
  await prisma.$transaction(
    async (tx) => {
      // First statement is a write on purpose: the transaction holds the write lock
      // from the start (SQLite) or the clearing row lock (PostgreSQL), so concurrent
      // seeds queue instead of failing on a read-to-write upgrade. Its result is the
      // clearing balance after our credits, from which our entries' running
      // balances follow.
      const clearing = await tx.bankAccount.upsert({
        where: { id: CLEARING.id },
        create: {
          id: CLEARING.id,
          ownerId: null,
          kind: "clearing",
          name: CLEARING.name,
          currency: CLEARING.currency,
          balanceMinor: plan.clearingTotal,
          maskedNumber: `•••• ${CLEARING.number.slice(-4)}`,
          fullNumber: CLEARING.number,
        },
        update: { balanceMinor: { increment: plan.clearingTotal } },
        select: { balanceMinor: true },
      });
      let clearingBalance = clearing.balanceMinor - plan.clearingTotal;
      const clearingEntries = plan.clearingEntries.map((entry) => {
        clearingBalance += BigInt(entry.amountMinor);
        return { ...entry, balanceAfterMinor: clearingBalance };
      });

      await tx.user.upsert({
        where: { tenantId_objectId: { tenantId: identity.tenantId, objectId: identity.objectId } },
        create: {
          id: plan.userId,
          tenantId: identity.tenantId,
          objectId: identity.objectId,
          name: identity.displayName,
          userPrincipalName: identity.userPrincipalName,
        },
        update: { name: identity.displayName, userPrincipalName: identity.userPrincipalName },
      });
      await tx.bankAccount.createMany({
        data: plan.accounts.map((a) => ({
          id: a.id,
          ownerId: plan.userId,
          kind: a.kind,
          name: a.name,
          currency: CURRENCY,
          balanceMinor: a.balance,
          maskedNumber: a.maskedNumber,
          fullNumber: a.fullNumber,
        })),
      });
      await tx.payee.createMany({ data: plan.payees });
      await tx.transfer.createMany({ data: plan.transfers });
      await tx.ledgerEntry.createMany({ data: [...plan.entries, ...clearingEntries] });
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
}
