import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { FormattedMessage, IntlProvider } from 'react-intl';
import en from '../../locales/en.json';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <IntlProvider locale="en" messages={en}>
      <FormattedMessage id="error.unauthenticated" />
    </IntlProvider>
  </StrictMode>,
);
