/** Line icons of the navigation, drawn on a 24-unit grid; decorative only. */
const paths = {
  overview: 'M4 13h7V4H4v9Zm0 7h7v-5H4v5Zm9 0h7v-9h-7v9Zm0-16v5h7V4h-7Z',
  incidents: 'M12 3 2.5 20h19L12 3Zm0 6v5m0 3h.01',
  plans: 'M9 4h6v3H9V4ZM7 5.5H5v15h14v-15h-2M8.5 11.5l1.5 1.5 3-3M8.5 16.5h7',
  contacts:
    'M6.5 3h3l1.5 4.5-2 1.5a11 11 0 0 0 5.5 5.5l1.5-2 4.5 1.5v3a2 2 0 0 1-2 2A16.5 16.5 0 0 1 4.5 5a2 2 0 0 1 2-2Z',
  customers:
    'M4 5h16v14H4V5Zm4 4.5a2 2 0 1 0 0 .01M6 15.5c.4-1.6 1.2-2.5 2-2.5s1.6.9 2 2.5M13 9h5M13 12h5M13 15h3',
  testRecipients: 'M3 5h18v14H3V5Zm0 1 9 7 9-7M15 17l1.5 1.5L20 15',
  audit: 'M7 3h8l4 4v14H7V3Zm8 0v4h4M10 11h6M10 15h6M10 19h4M4 7v14h3',
  users:
    'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-7 10c.5-3.9 3.4-6.5 7-6.5s6.5 2.6 7 6.5M16 3.5a4 4 0 0 1 0 7.4M18.5 14.8c1.9.9 3.2 3 3.5 6.2',
  tokens: 'M14.5 9.5a5 5 0 1 0-3.9 4.9L13 17h2v2h2v2h4v-4l-6.6-6.6c.1-.3.1-.6.1-.9ZM7.5 8.5h.01',
  organization: 'M3 21h18M5 21V7l7-4 7 4v14M9 10h.01M15 10h.01M9 14h.01M15 14h.01M10 21v-4h4v4',
  authenticator:
    'M8 2.5h8a2 2 0 0 1 2 2v15a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2v-15a2 2 0 0 1 2-2ZM11 18.5h2M9.5 9.5l1.8 1.8 3.2-3.3',
  account: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9Zm-8 9c.6-4.2 3.9-7 8-7s7.4 2.8 8 7',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={paths[name]} />
    </svg>
  );
}
