import type { MessageId } from '../i18n';

/** A failure found in the browser (not by the server), worded by the catalogs. */
export class LocalError extends Error {
  constructor(readonly messageId: MessageId) {
    super(messageId);
    this.name = 'LocalError';
  }
}
