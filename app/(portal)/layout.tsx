/**
 * The signed-in area's frame. It does not protect anything by itself: each page calls
 * requireSession() (layouts are not security boundaries, and they do not re-render on
 * client navigation).
 */
export default function PortalLayout({ children }: { children: React.ReactNode }) {
  return <div className="min-h-screen">{children}</div>;
}
