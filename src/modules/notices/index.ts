/** The notices module's public surface: what other modules and the composition root may import. */
export { bounceRoutes } from './bounce-routes.js';
export { startBounceListener } from './bounce-smtp.js';
export { channelRoutes } from './channel-routes.js';
export { signedOrganizationMail } from './channel-email.js';
export { smsStatusRoutes } from './sms-status-routes.js';
export { deliveryRoutes } from './delivery-routes.js';
export { createNoticeWorker } from './delivery-worker.js';
export { emailSettingsRoutes } from './email-settings-routes.js';
export { noticeRoutes } from './notice-routes.js';
export { noticeSendJob, noticeSendRequeueTimer } from './notice-sends.js';
export { reportReviewRoutes } from './report-review-routes.js';
export { suppressionRoutes } from './suppression-routes.js';
export { verifyRoutes } from './verify-routes.js';
