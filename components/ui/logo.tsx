/** The Woodgrove Bank wordmark (Woodgrove is Microsoft's fictitious bank). */
export function Logo({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight ${className}`}>
      <svg aria-hidden="true" viewBox="0 0 32 32" className="h-7 w-7">
        <rect width="32" height="32" rx="7" fill="currentColor" />
        <path d="M7 10l3.2 12h1.6L16 13l4.2 9h1.6L25 10h-2.4l-2 8.2L16.9 10h-1.8l-3.7 8.2-2-8.2z" fill="#fff" />
      </svg>
      <span>Woodgrove Bank</span>
    </span>
  );
}
