import { readFile } from "node:fs/promises";
import { test, expect } from "./fixtures";
import { IdentityProviderPage } from "./pages/identity-provider.page";
import type { PrismaClient } from "../lib/generated/prisma/client";
import type { Persona } from "./fixtures";
import { CHECKING, accountOf, auditOutcomes, watchPopups } from "./support/ground-truth";
import { addMonths, formatMonth, monthOf, monthRange, type Month } from "../lib/finance/month";
import { formatMoney, minorToDecimalString } from "../lib/format";

/**
 * The finance pages and statements. Every test seeds its own persona (a year of history ending
 * now) and checks the page against the database, the ground truth. Statements are
 * `finance.viewStatements` (session-bound, "multi-factor within the hour"): a password sign-in
 * must step up before the first download, and not again within the elevation window.
 */

const PURPOSE = /Verify to see full account numbers and statements for 15 minutes/;

/** Last month: always a complete month of seeded history, whatever day the tests run. */
const lastMonth: Month = addMonths(monthOf(new Date()), -1);

/** The portal's audit outcomes for this user's finance.viewStatements decisions, oldest first. */
const statementOutcomes = (database: PrismaClient, user: Persona) => auditOutcomes(database, user, "finance.viewStatements");

/** Opening and closing balance of `month` on one account, from the ledger (sum of entries). */
async function monthBalances(database: PrismaClient, accountId: string, month: Month) {
  const { start, end } = monthRange(month);
  const sum = async (before: Date) =>
    (await database.ledgerEntry.aggregate({ where: { accountId, bookedAt: { lt: before } }, _sum: { amountMinor: true } }))._sum.amountMinor ?? 0n;
  const entries = await database.ledgerEntry.count({ where: { accountId, bookedAt: { gte: start, lt: end } } });
  return { opening: await sum(start), closing: await sum(end), entries };
}


test.describe("finance overview", () => {
  test("accounts link to their pages; spending and balances are charted, and tables carry the same figures @database", async ({ persona, signIn, finance, database }) => {
    const user = await persona("totp");
    await signIn(user);
    await finance.openFromNavigation();
    const checking = await accountOf(database, user, CHECKING);
    await expect(finance.account(CHECKING)).toContainText(formatMoney(checking.balanceMinor, checking.currency));
    await expect(finance.account(CHECKING)).toContainText(checking.maskedNumber);

    // Spending for last month, from the month picker (the URL carries it).
    await finance.chooseMonth(formatMonth(lastMonth));
    await expect(finance.page).toHaveURL(new RegExp(`[?&]month=${lastMonth}`));
    const { start, end } = monthRange(lastMonth);
    const debits = await database.ledgerEntry.findMany({
      where: { account: { owner: { objectId: user.oid } }, amountMinor: { lt: 0n }, bookedAt: { gte: start, lt: end } },
      select: { amountMinor: true, category: true, transfer: { select: { toAccountId: true } } },
    });
    let total = 0n;
    for (const debit of debits) if (!debit.transfer?.toAccountId) total -= debit.amountMinor;
    const table = finance.spendingTable(formatMonth(lastMonth));
    await expect(table.getByRole("row", { name: /^Total/ })).toContainText(formatMoney(total, "USD"));
    await expect(table.getByRole("row", { name: /^Rent/ })).toBeVisible();
    await expect(finance.spendingChart().locator("svg").first()).toBeVisible();

    // Balances: twelve month rows; this month's is today's balance.
    await expect(finance.balanceTable().getByRole("rowgroup").nth(1).getByRole("row")).toHaveCount(12);
    const columns = await finance.balanceTable().getByRole("columnheader").allTextContents();
    const lastRow = finance.balanceTable().getByRole("rowgroup").nth(1).getByRole("row").last();
    await expect(lastRow.getByRole("cell").nth(columns.indexOf(CHECKING) - 1)).toHaveText(formatMoney(checking.balanceMinor, checking.currency));
    await expect(finance.balanceChart().locator("svg").first()).toBeVisible();

    await finance.openAccount(CHECKING);
  });

  test("a month outside the offered range is explained, not a crash", async ({ page, persona, signIn, finance }) => {
    const user = await persona("no-mfa");
    await signIn(user);
    await finance.goto("?month=1999-13");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("That month isn't available");
    await expect(finance.spending()).toBeVisible();
  });
});

test.describe("account history", () => {
  test("search, filters and pages live in the URL and match the ledger @database", async ({ page, persona, signIn, account, database }) => {
    const user = await persona("no-mfa");
    await signIn(user);
    const checking = await accountOf(database, user, CHECKING);
    await account.goto(checking.id);
    await expect(account.heading(CHECKING)).toBeVisible();
    const everything = await database.ledgerEntry.count({ where: { accountId: checking.id } });
    await expect(account.summary()).toContainText(`Showing 1–25 of ${everything} transactions`);
    await expect(account.rows()).toHaveCount(25);

    // Page 2 through the pagination links; the URL says so.
    await account.pages().getByRole("link", { name: "Next page" }).click();
    await expect(page).toHaveURL(/[?&]page=2/);
    await expect(account.summary()).toContainText(`Showing 26–50 of ${everything}`);

    // Search is case-insensitive and matches the counterparty as well as the description.
    await account.filter({ q: "PAYROLL" });
    await expect(page).toHaveURL(/[?&]q=PAYROLL/);
    await expect(page).not.toHaveURL(/[?&]page=/);
    const payroll = await database.ledgerEntry.count({ where: { accountId: checking.id, category: "salary" } });
    expect(payroll).toBeGreaterThan(0);
    await expect(account.summary()).toContainText(payroll === 1 ? "1 transaction" : `of ${payroll} transactions matching your filters`);
    for (const text of await account.rows().allTextContents()) expect(text).toMatch(/Payroll/);

    // Category, amount (by size, typed with grouping) and dates together.
    const { start, end } = monthRange(lastMonth);
    const rent = await database.ledgerEntry.findFirstOrThrow({ where: { accountId: checking.id, category: "rent", bookedAt: { gte: start, lt: end } } });
    const size = minorToDecimalString(-rent.amountMinor, "USD");
    await account.filter({ category: "Rent", min: size, max: size, from: start.toISOString().slice(0, 10), to: new Date(end.getTime() - 1).toISOString().slice(0, 10) });
    await expect(page).toHaveURL(/[?&]category=rent/);
    await expect(account.summary()).toContainText("1 transaction");
    await expect(account.rows()).toHaveCount(1);
    await expect(account.rows().first()).toContainText(formatMoney(rent.amountMinor, "USD", { signDisplay: "exceptZero" }));

    // Nothing matches: an empty state with a way back.
    await account.filter({ q: "no such merchant anywhere" });
    await expect(account.history()).toContainText("No transactions match these filters.");
    await account.history().getByRole("link", { name: "Clear filters" }).first().click();
    await expect(account.summary()).toContainText(`of ${everything} transactions`);
  });

  test("invalid parameters in the URL get clear messages and no table", async ({ persona, signIn, account, database }) => {
    const user = await persona("no-mfa");
    await signIn(user);
    const checking = await accountOf(database, user, CHECKING);
    await account.goto(checking.id, "?from=2026-02-30&min=12.345&page=0&q=a&q=b");
    const alert = account.history().getByRole("alert");
    await expect(alert).toContainText("From: enter a date as YYYY-MM-DD");
    await expect(alert).toContainText("Minimum amount: USD amounts have at most 2 decimal places");
    await expect(alert).toContainText("Page: give a page number");
    await expect(alert).toContainText("Search: give it once");
    await expect(account.transactions()).toHaveCount(0);
  });

  test("another person's account id answers exactly like an unknown one", async ({ page, persona, signIn, account, database }) => {
    const owner = await persona("no-mfa");
    const intruder = await persona("no-mfa");
    const theirs = await accountOf(database, owner, CHECKING);
    await signIn(intruder);

    await account.goto(theirs.id);
    await expect(account.notFound()).toBeVisible();
    const foreignText = await page.getByRole("main").innerText();
    await expect(page.locator("body")).not.toContainText(theirs.maskedNumber);

    await account.goto("acct_does_not_exist");
    await expect(account.notFound()).toBeVisible();
    expect(await page.getByRole("main").innerText()).toBe(foreignText);

    // Their statement URL too: without strength the policy answers first, the same for both.
    const foreign = await page.request.get(`/finance/accounts/${theirs.id}/statements/${lastMonth}?format=csv`);
    const unknown = await page.request.get(`/finance/accounts/acct_does_not_exist/statements/${lastMonth}?format=csv`);
    expect([foreign.status(), unknown.status()]).toEqual([403, 403]);
  });
});

test.describe("statements @step-up", () => {
  test("a CSV after stepping up in the popup, then a PDF within the elevation window without one @database", async ({
    page,
    persona,
    signIn,
    account,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const checking = await accountOf(database, user, CHECKING);
    await account.goto(checking.id);
    const label = formatMonth(lastMonth);

    await account.downloadButton(label, "CSV").click();
    await stepUpDialog.expectOpen(PURPOSE);
    const popup = await stepUpDialog.verify();
    const downloadStarted = page.waitForEvent("download");
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    const csv = await downloadStarted;
    const lastFour = checking.maskedNumber.replace(/\D/g, "");
    expect(csv.suggestedFilename()).toBe(`woodgrove-xxxx${lastFour}-${lastMonth}.csv`);

    const text = await readFile((await csv.path())!, "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe('"Date","Description","Counterparty","Category","Amount","Balance","Currency","Transaction ID"');
    const { opening, closing, entries } = await monthBalances(database, checking.id, lastMonth);
    expect(lines[1]).toContain(`"Opening balance","","",,${minorToDecimalString(opening, "USD")},"USD"`);
    expect(lines.at(-1)).toContain(`"Closing balance","","",,${minorToDecimalString(closing, "USD")},"USD"`);
    // Header, opening, one line per entry (the seed has no line breaks inside cells), closing.
    expect(lines).toHaveLength(entries + 3);
    // The full number stays out of the CSV.
    const { fullNumber } = await database.bankAccount.findUniqueOrThrow({ where: { id: checking.id }, select: { fullNumber: true } });
    expect(text).not.toContain(fullNumber);

    // Within the elevation window: no dialog, no popup.
    const popups = watchPopups(page);
    const pdf = await account.download(label, "PDF");
    await stepUpDialog.expectClosed();
    expect(popups).toHaveLength(0);
    expect(pdf.suggestedFilename()).toBe(`woodgrove-xxxx${lastFour}-${lastMonth}.pdf`);
    const bytes = await readFile((await pdf.path())!);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");

    const outcomes = await statementOutcomes(database, user);
    expect(outcomes.filter((outcome) => outcome === "downloaded")).toHaveLength(2);
    expect(outcomes[0]).toBe("required");
  });

  test("closing the popup downloads nothing and offers Try again", async ({ page, persona, signIn, account, stepUpDialog, database }) => {
    const user = await persona("totp");
    await signIn(user);
    const checking = await accountOf(database, user, CHECKING);
    await account.goto(checking.id);
    let downloads = 0;
    page.on("download", () => downloads++);

    await account.downloadButton(formatMonth(lastMonth), "CSV").click();
    await stepUpDialog.expectOpen(PURPOSE);
    const popup = await stepUpDialog.verify();
    await expect(new IdentityProviderPage(popup).codeField()).toBeVisible();
    await popup.close();
    await stepUpDialog.expectError("Verification was cancelled", "Try again");
    await stepUpDialog.cancel();
    expect(downloads).toBe(0);
    expect(await statementOutcomes(database, user)).toEqual(["required"]);
  });

  test("the statement URL without the strength is refused with 403 and no file; after a step-up it serves one", async ({
    page,
    persona,
    signIn,
    account,
    stepUpDialog,
    control,
    database,
  }) => {
    const user = await persona("totp");
    await signIn(user);
    const checking = await accountOf(database, user, CHECKING);
    const url = `/finance/accounts/${checking.id}/statements/${lastMonth}?format=pdf`;

    const refused = await page.request.get(url);
    expect(refused.status()).toBe(403);
    expect(refused.headers()["content-disposition"]).toBeUndefined();
    expect(await refused.json()).toMatchObject({ error: "step_up_required", operation: "finance.viewStatements" });
    expect(await statementOutcomes(database, user)).toEqual(["required"]);

    // Bad input is answered before anything else, with what is wrong.
    const malformed = await page.request.get(`/finance/accounts/${checking.id}/statements/2026-13?format=xls`);
    expect(malformed.status()).toBe(400);
    expect((await malformed.json()).message).toMatch(/YYYY-MM.*csv or pdf|csv or pdf.*YYYY-MM/);

    // Step up through the page (the reveal elevates the session just the same), then the URL works.
    await account.goto(checking.id);
    await page.getByRole("button", { name: `Show full number for ${CHECKING}` }).click();
    const popup = await stepUpDialog.verify();
    await new IdentityProviderPage(popup).enterCode(await control.totpCode(user.oid));
    await expect(page.getByRole("button", { name: `Hide for ${CHECKING}` })).toBeVisible();

    const served = await page.request.get(url);
    expect(served.status()).toBe(200);
    expect(served.headers()["content-disposition"]).toMatch(/^attachment; filename="woodgrove-xxxx\d{4}-\d{4}-\d{2}\.pdf"$/);
    expect(served.headers()["cache-control"]).toContain("no-store");
    expect((await served.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // A month in the future or before the account existed: 404 with the reason.
    const future = await page.request.get(`/finance/accounts/${checking.id}/statements/${addMonths(monthOf(new Date()), 1)}?format=csv`);
    expect(future.status()).toBe(404);
    expect((await future.json()).message).toMatch(/hasn't started yet/);
    const ancient = await page.request.get(`/finance/accounts/${checking.id}/statements/2001-01?format=csv`);
    expect(ancient.status()).toBe(404);
    expect((await ancient.json()).message).toMatch(/before this account was opened/);

    // With the strength, someone else's account and an unknown one still read the same: 404.
    const other = await accountOf(database, await persona("no-mfa"), CHECKING);
    const foreign = await page.request.get(`/finance/accounts/${other.id}/statements/${lastMonth}?format=csv`);
    const unknown = await page.request.get(`/finance/accounts/acct_does_not_exist/statements/${lastMonth}?format=csv`);
    expect([foreign.status(), unknown.status()]).toEqual([404, 404]);
    expect((await foreign.json()).message).toBe((await unknown.json()).message);
  });
});
