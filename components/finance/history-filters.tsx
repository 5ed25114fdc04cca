import Form from "next/form";
import Link from "next/link";
import { SubmitButton } from "@/components/finance/submit-button";
import { categoryLabel } from "@/lib/finance/categories";

/** The filter values as typed (the URL's strings), to fill the form again. */
export interface HistoryFilterValues {
  q?: string;
  from?: string;
  to?: string;
  category?: string;
  min?: string;
  max?: string;
}

const field = "mt-1 w-full rounded-md border border-black/15 bg-white px-3 py-2 text-sm";
const label = "block text-sm font-medium";

/**
 * Search and filters of an account's history as a GET form: the filters live in the URL (shareable,
 * back-button friendly, working without JavaScript), and the server validates and applies them.
 * Submitting starts again at page 1 (the form carries no page).
 */
export function HistoryFilters({ action, values, categories, currency }: { action: string; values: HistoryFilterValues; categories: readonly string[]; currency: string }) {
  return (
    <Form action={action} className="grid gap-4 sm:grid-cols-2 lg:grid-cols-6" aria-label="Search and filter transactions">
      <div className="sm:col-span-2">
        <label htmlFor="history-q" className={label}>
          Search
        </label>
        <input id="history-q" name="q" type="search" defaultValue={values.q} maxLength={100} placeholder="Description or counterparty" className={field} />
      </div>
      <div>
        <label htmlFor="history-from" className={label}>
          From
        </label>
        <input id="history-from" name="from" type="date" defaultValue={values.from} className={field} />
      </div>
      <div>
        <label htmlFor="history-to" className={label}>
          To
        </label>
        <input id="history-to" name="to" type="date" defaultValue={values.to} className={field} />
      </div>
      <div className="sm:col-span-2">
        <label htmlFor="history-category" className={label}>
          Category
        </label>
        <select id="history-category" name="category" defaultValue={values.category ?? ""} className={field}>
          <option value="">All categories</option>
          {categories.map((category) => (
            <option key={category} value={category}>
              {categoryLabel(category)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="history-min" className={label}>
          Minimum amount ({currency})
        </label>
        <input id="history-min" name="min" inputMode="decimal" autoComplete="off" defaultValue={values.min} className={field} />
      </div>
      <div>
        <label htmlFor="history-max" className={label}>
          Maximum amount ({currency})
        </label>
        <input id="history-max" name="max" inputMode="decimal" autoComplete="off" defaultValue={values.max} className={field} />
      </div>
      <p className="text-xs text-muted sm:col-span-2 lg:col-span-2 lg:self-end">Amounts match money in and out alike.</p>
      <div className="flex items-end gap-3 sm:col-span-2">
        <SubmitButton pendingLabel="Applying…">Apply filters</SubmitButton>
        <Link href={action} className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50">
          Clear filters
        </Link>
      </div>
    </Form>
  );
}
