/** The key-and-person mark on every passkey button. */
export function PasskeyIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="9" cy="8" r="4" />
      <path d="M2.5 20c.6-3.6 3.3-6 6.5-6 1.4 0 2.7.4 3.7 1.2" />
      <circle cx="17.5" cy="13.5" r="2.5" />
      <path d="M17.5 16v5.5l1.5-1.2M17.5 19l1.3-1" />
    </svg>
  );
}
