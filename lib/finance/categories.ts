/** "card_payment" → "Card payment": ledger categories as a person reads them. Client-safe. */
export function categoryLabel(category: string): string {
  const words = category.replaceAll("_", " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
