"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";

/**
 * The header's navigation and account controls, behind a "Menu" disclosure button below
 * Tailwind's `sm` breakpoint. From `sm` up the button is hidden and the wrapper is
 * `display: contents`, so the children lay out in the header's own row as if it were not there.
 * The children are rendered once (on the server) for both layouts. The menu closes on Escape
 * (focus returns to the button), on following one of its links (even to the current page) and
 * whenever the path changes.
 */
export function HeaderMenu({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  // The path the menu was opened on: open only while that page shows, so any navigation closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpenOn(null);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [open]);

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpenOn(open ? null : pathname)}
        className="ml-auto inline-flex items-center gap-2 rounded-md border border-black/10 px-3 py-2 text-sm font-medium hover:bg-brand-50 sm:hidden"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
          {open ? (
            <path d="M5.3 4 10 8.6 14.7 4l1.3 1.3-4.7 4.7 4.7 4.7-1.3 1.3-4.7-4.7L5.3 16 4 14.7 8.6 10 4 5.3z" />
          ) : (
            <path d="M3 5h14v1.75H3zm0 4.13h14v1.75H3zm0 4.12h14V15H3z" />
          )}
        </svg>
        Menu
      </button>
      <div
        id={panelId}
        onClick={(event) => {
          if ((event.target as Element).closest("a")) setOpenOn(null);
        }}
        className={`${open ? "flex" : "hidden"} w-full flex-col gap-3 sm:contents`}
      >
        {children}
      </div>
    </>
  );
}
