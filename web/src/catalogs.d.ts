/** One language's messages, built by the catalogs plugin in vite.config.ts. */
declare module 'virtual:catalog/*' {
  const messages: Record<string, string>;
  export default messages;
}
