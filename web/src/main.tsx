import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { LocaleProvider } from './i18n';
import { SessionProvider } from './session';
import './styles/base.css';
import './styles/layout.css';
import './styles/buttons-and-fields.css';
import './styles/cards-notices-and-badges.css';
import './styles/tables-and-lists.css';
import './styles/second-factors-and-menus.css';
import './styles/incidents.css';
import './styles/warnings.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LocaleProvider>
      <SessionProvider>
        <App />
      </SessionProvider>
    </LocaleProvider>
  </StrictMode>,
);
